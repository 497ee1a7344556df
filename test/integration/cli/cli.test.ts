/**
 * The `mailroom` command as a user runs it: real processes against a real
 * PostgreSQL database, started through tsx so that no build is needed.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

const CLI = [
  '--import',
  'tsx',
  '-e',
  "import('./src/cli/main.ts').then(async (m) => { process.exitCode = await m.runCli(process.argv.slice(1)); })",
];

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function mailroom(
  args: string[],
  env: Record<string, string>,
): { done: Promise<Finished>; child: ReturnType<typeof spawn>; output: () => string } {
  const child = spawn(process.execPath, [...CLI, ...args], {
    env: { ...process.env, MAILROOM_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { done, child, output: () => stdout };
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('mailroom CLI', () => {
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    // The template is already migrated; drop the organization so that migrate bootstraps it here.
    env = { MAILROOM_DATABASE_URL: database.url, MAILROOM_SECRET_KEY: 'ab'.repeat(32) };
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('migrate bootstraps the organization once and prints the admin token only the first time', async () => {
    const first = await mailroom(['migrate'], env).done;
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/up to date/);
    expect(first.stdout).toMatch(/Administrator API token \(shown once, store it now\): mrt_\S+/);
    const second = await mailroom(['migrate'], env).done;
    expect(second.code).toBe(0);
    expect(second.stdout).not.toMatch(/mrt_/);
  });

  it('token create prints a working token for a user, and refuses unknown users', async () => {
    const created = await mailroom(['token', 'create', '--user', 'admin', '--name', 'ci'], env).done;
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^mrt_[A-Za-z0-9_-]{40,}$/);
    const rows = await database.db.selectFrom('apiTokens').select(['name', 'tokenHash']).execute();
    expect(rows.map((row) => row.name)).toContain('ci');
    expect(rows.some((row) => row.tokenHash.includes(token))).toBe(false);

    const unknown = await mailroom(['token', 'create', '--user', 'nobody'], env).done;
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No user with username nobody/);
  });

  it('start serves health and the API with a token, then stops cleanly on SIGTERM', async () => {
    const token = (await mailroom(['token', 'create', '--user', 'admin'], env).done).stdout.trim();
    const run = mailroom(['start'], { ...env, MAILROOM_PORT: '0', MAILROOM_HOST: '127.0.0.1' });
    const url = await waitFor(() => /is listening on (http:\/\/[\d.]+:\d+)/.exec(run.output())?.[1], 30_000);
    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'postgres' });
    const me = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { privileges: Record<string, string> }).privileges['mailbox:read']).toBe(
      'organization',
    );
    // Tokens never reach the log.
    expect(run.output()).not.toContain(token);
    run.child.kill('SIGTERM');
    const finished = await run.done;
    expect(finished.code).toBe(0);
    expect(finished.stdout).toMatch(/sync worker stopped/);
  });

  it('production mode refuses to start without a secret key, naming the variable', async () => {
    const { MAILROOM_SECRET_KEY: _key, ...withoutKey } = env;
    const result = await mailroom(['migrate'], {
      ...withoutKey,
      MAILROOM_MODE: 'production',
      MAILROOM_SECRET_KEY: '',
    }).done;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/MAILROOM_SECRET_KEY is required in production mode/);
  });

  it('diagnose lists what Test & Enable would find, without changing anything', async () => {
    const before = await database.db.selectFrom('alerts').select('id').execute();
    const result = await mailroom(['diagnose', 'Administrator'], env).done;
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('InvalidIncomingEmailServerProfile');
    expect(result.stdout).toContain(
      'Email cannot be received because the mailbox Administrator does not have an email server profile associated with it or the email server profile is inactive.',
    );
    expect(result.stdout).toMatch(/fix: +Choose an email server profile/);
    expect(await database.db.selectFrom('alerts').select('id').execute()).toEqual(before);
    const unknown = await mailroom(['diagnose', 'nobody@example.test'], env).done;
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No mailbox with id, email address or name/);
  });

  it('unknown commands and bad options exit 2 with usage', async () => {
    const result = await mailroom(['frobnicate'], env).done;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
    const badOption = await mailroom(['token', 'create', '--usr', 'x'], env).done;
    expect(badOption.code).toBe(2);
  });
});

/**
 * `mailroom apply` against a real PostgreSQL database: the example file from
 * an empty organization, idempotency, single-field changes, references that
 * do not resolve, a refused change, and dry runs. Most runs go through
 * `runApplyCommand` (argument parsing, file reading, exit codes, output), the
 * way the `mailroom` command calls it.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyDocument } from '../../../src/apply/apply.js';
import { ApplyError } from '../../../src/apply/errors.js';
import { loadDocument } from '../../../src/apply/load.js';
import { runApplyCommand } from '../../../src/cli/apply-command.js';
import type { Config } from '../../../src/config/config.js';
import { bootstrap } from '../../../src/organization/bootstrap.js';
import { DomainError } from '../../../src/resources/errors.js';
import { createSecretBox, type SecretBox } from '../../../src/security/secrets.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

const EXAMPLE = resolve('examples/mailroom.yaml');

const ENV = {
  SUPPORT_MAILBOX_PASSWORD: 'support-secret-1',
  BILLING_MAILBOX_PASSWORD: 'billing-secret-1',
  ALICE_MAILBOX_PASSWORD: 'alice-secret-1',
  FORWARD_MAILBOX_PASSWORD: 'forward-secret-1',
  LEGACY_POP3_PASSWORD: 'legacy-secret-1',
};

const TABLES = [
  'organization',
  'businessUnits',
  'roles',
  'rolePrivileges',
  'users',
  'userRoles',
  'teams',
  'teamMembers',
  'teamRoles',
  'emailServerProfiles',
  'queues',
  'mailboxes',
] as const;

interface Run {
  code: number;
  out: string[];
  err: string[];
}

describe('mailroom apply', () => {
  let database: TestDatabase;
  let secrets: SecretBox;
  let config: Config;
  let folder: string;
  let exampleText: string;

  /** Every row of every table apply touches, in a stable order: equal snapshots mean nothing was written. */
  async function snapshot(): Promise<Record<string, unknown[]>> {
    const result: Record<string, unknown[]> = {};
    for (const table of TABLES) {
      const rows = await database.db.selectFrom(table).selectAll().execute();
      result[table] = rows.map((row) => JSON.stringify(row)).sort();
    }
    return result;
  }

  async function rowCounts(): Promise<Record<string, number>> {
    const snap = await snapshot();
    return Object.fromEntries(Object.entries(snap).map(([table, rows]) => [table, rows.length]));
  }

  async function apply(args: string[], env: Record<string, string> = ENV): Promise<Run> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runApplyCommand(
      config,
      args,
      { out: (line) => out.push(line), err: (line) => err.push(line) },
      env,
    );
    return { code, out, err };
  }

  let fileCounter = 0;
  async function file(text: string, extension = 'yaml'): Promise<string> {
    fileCounter += 1;
    const path = join(folder, `apply-${fileCounter}.${extension}`);
    await writeFile(path, text);
    return path;
  }

  async function userId(username: string): Promise<string> {
    return (
      await database.db
        .selectFrom('users')
        .select('id')
        .where('username', '=', username)
        .executeTakeFirstOrThrow()
    ).id;
  }

  async function mailboxOf(type: 'user' | 'queue', id: string) {
    return database.db
      .selectFrom('mailboxes')
      .selectAll()
      .where('regardingType', '=', type)
      .where('regardingId', '=', id)
      .executeTakeFirstOrThrow();
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    await bootstrap(database.db);
    const key = randomBytes(32);
    secrets = createSecretBox(key);
    folder = await mkdtemp(join(tmpdir(), 'mailroom-apply-'));
    config = {
      databaseUrl: database.url,
      dataDir: folder,
      host: '127.0.0.1',
      port: 0,
      secretKey: key.toString('hex'),
      mode: 'development',
      logLevel: 'warn',
      workerId: undefined,
      tlsCaFile: undefined,
    };
    exampleText = await readFile(EXAMPLE, 'utf8');
  });

  afterAll(async () => {
    await database?.drop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  describe('the example file on a new organization', () => {
    let dryRun: Run;
    let first: Run;

    beforeAll(async () => {
      const before = await snapshot();
      dryRun = await apply([EXAMPLE, '--dry-run']);
      expect(await snapshot()).toEqual(before);
      first = await apply([EXAMPLE]);
    });

    it('--dry-run wrote nothing and printed exactly the plan the real run then carried out', () => {
      expect(dryRun.err).toEqual([]);
      expect(dryRun.code).toBe(0);
      expect(first.code).toBe(0);
      expect(dryRun.out.slice(0, -1)).toEqual(first.out);
      expect(dryRun.out.at(-1)).toBe('Dry run as admin: nothing was written.');
    });

    it('creates everything in dependency order and reports one line per change', () => {
      expect(first.err).toEqual([]);
      const out = first.out;
      for (const line of [
        'created business unit Sales',
        'created business unit Sales Europe',
        'created business unit Sales Nordics',
        'created business unit Support',
        'created role Support Agent',
        'created user alice',
        'assigned role Salesperson to user alice',
        'assigned role Support Agent to user carol',
        'created team Support Team',
        'added user carol to team Support Team',
        'added user dev to team Support Team',
        'assigned role Support Queue Owner to team Support Team',
        'created team Billing Team',
        'created email server profile Local Dovecot',
        'created email server profile Legacy POP3',
        // productName is already Mailroom, so it is not in the list
        'updated organization settings: requireApprovalForUserEmail, requireApprovalForQueueEmail, trackingTokenPrefix, autoCreateContacts, defaultEmailServerProfileId',
        'created queue Support',
        'created queue Billing',
        'created mailbox Forwarding',
      ]) {
        expect(out).toContain(line);
      }
      expect(out.indexOf('created business unit Sales Nordics')).toBeGreaterThan(
        out.indexOf('created business unit Sales Europe'),
      );
      expect(out.indexOf('created role Support Agent')).toBeLessThan(out.indexOf('created user carol'));
      // queue mailboxes got the default profile when the queues were created, so only the rest differs
      expect(out).toContain('updated mailbox for queue Support: username, password');
      expect(out).toContain('updated mailbox for queue Billing: outgoingMethod, username, password');
      // alice was created before the default profile was set
      expect(out).toContain('updated mailbox for user alice: emailServerProfileId, username, password');
      // 4 units + 1 role + 4 users + 2 teams + 2 profiles + 2 queues + 1 mailbox created;
      // organization + 3 user/queue mailboxes updated
      expect(out.at(-1)).toBe('16 created, 4 updated, 0 unchanged');
    });

    it('never prints a password', () => {
      const printed = [...dryRun.out, ...first.out].join('\n');
      for (const secret of Object.values(ENV)) expect(printed).not.toContain(secret);
    });

    it('stored what the file says', async () => {
      const db = database.db;
      const units = await db.selectFrom('businessUnits').select(['id', 'name', 'parentId']).execute();
      const unit = (name: string) => units.find((row) => row.name === name);
      expect(unit('Sales Nordics')?.parentId).toBe(unit('Sales Europe')?.id);
      expect(unit('Sales Europe')?.parentId).toBe(unit('Sales')?.id);
      expect(unit('Sales')?.parentId).toBe(units.find((row) => row.parentId === null)?.id);

      const alice = await db
        .selectFrom('users')
        .selectAll()
        .where('username', '=', 'alice')
        .executeTakeFirstOrThrow();
      expect(alice).toMatchObject({
        name: 'Alice Andersen',
        emailAddress: 'alice@example.test',
        businessUnitId: unit('Sales Europe')?.id,
      });

      const billingTeam = await db
        .selectFrom('teams')
        .selectAll()
        .where('name', '=', 'Billing Team')
        .executeTakeFirstOrThrow();
      expect(
        await db.selectFrom('teamRoles').selectAll().where('teamId', '=', billingTeam.id).execute(),
      ).toEqual([]);

      const profiles = await db.selectFrom('emailServerProfiles').selectAll().execute();
      const dovecot = profiles.find((row) => row.name === 'Local Dovecot');
      const legacy = profiles.find((row) => row.name === 'Legacy POP3');
      expect(dovecot).toMatchObject({ incomingPort: 10143, incomingTls: 'none', state: 'active' });
      expect(legacy).toMatchObject({ state: 'inactive', incomingPort: 995, outgoingPort: 587 });
      expect(legacy?.processEmailReceivedAfter?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
      expect(legacy?.incomingPasswordEncrypted).not.toContain(ENV.LEGACY_POP3_PASSWORD);
      expect(secrets.open(legacy?.incomingPasswordEncrypted ?? '')).toBe(ENV.LEGACY_POP3_PASSWORD);

      const organization = await db.selectFrom('organization').selectAll().executeTakeFirstOrThrow();
      expect(organization.defaultEmailServerProfileId).toBe(dovecot?.id);

      const support = await db
        .selectFrom('queues')
        .selectAll()
        .where('name', '=', 'Support')
        .executeTakeFirstOrThrow();
      expect(support).toMatchObject({
        ownerType: 'team',
        ownerId: (
          await db
            .selectFrom('teams')
            .select('id')
            .where('name', '=', 'Support Team')
            .executeTakeFirstOrThrow()
        ).id,
      });
      const supportMailbox = await mailboxOf('queue', support.id);
      expect(supportMailbox).toMatchObject({
        emailServerProfileId: dovecot?.id,
        username: 'support@example.test',
      });
      expect(secrets.open(supportMailbox.passwordEncrypted ?? '')).toBe(ENV.SUPPORT_MAILBOX_PASSWORD);

      const forwarding = await db
        .selectFrom('mailboxes')
        .selectAll()
        .where('name', '=', 'Forwarding')
        .executeTakeFirstOrThrow();
      expect(forwarding).toMatchObject({
        isForwardMailbox: true,
        incomingMethod: 'forwardMailbox',
        outgoingMethod: 'none',
        regardingId: null,
      });
    });

    it('a second run reports No changes. and leaves every row as it was', async () => {
      const countsBefore = await rowCounts();
      const before = await snapshot();
      const second = await apply([EXAMPLE]);
      expect(second).toEqual({ code: 0, out: ['No changes.'], err: [] });
      expect(await rowCounts()).toEqual(countsBefore);
      expect(await snapshot()).toEqual(before);
    });

    it('the same file as JSON is the same desired state', async () => {
      const { parse } = await import('yaml');
      const json = await file(JSON.stringify(parse(exampleText)), 'json');
      expect((await apply([json])).out).toEqual(['No changes.']);
    });
  });

  describe('changes to an applied file', () => {
    beforeEach(async () => {
      // every test starts from the example as applied
      const run = await apply([EXAMPLE]);
      expect(run.code).toBe(0);
    });

    it('one changed field is exactly one update', async () => {
      const path = await file(exampleText.replace('name: Alice Andersen', 'name: Alice Andersen-Berg'));
      const run = await apply([path]);
      expect(run.out).toEqual([
        'updated user alice: name',
        expect.stringMatching(/^0 created, 1 updated, \d+ unchanged$/),
      ]);
      expect((await apply([path])).out).toEqual(['No changes.']);
      expect((await apply([EXAMPLE])).out[0]).toBe('updated user alice: name');
    });

    it("sets a mailbox's own IMAP IDLE choice, and null gives it back to the profile", async () => {
      const aliceMailbox = '    username: alice@example.test\n';
      const off = await file(exampleText.replace(aliceMailbox, `    useIdle: false\n${aliceMailbox}`));
      expect((await apply([off])).out[0]).toBe('updated mailbox for user alice: useIdle');
      expect((await mailboxOf('user', await userId('alice'))).useIdle).toBe(false);
      expect((await apply([off])).out).toEqual(['No changes.']);

      const follow = await file(exampleText.replace(aliceMailbox, `    useIdle: null\n${aliceMailbox}`));
      expect((await apply([follow])).out[0]).toBe('updated mailbox for user alice: useIdle');
      expect((await mailboxOf('user', await userId('alice'))).useIdle).toBeNull();
    });

    it('a changed password is found by decrypting the stored one, and not printed', async () => {
      const run = await apply([EXAMPLE], { ...ENV, ALICE_MAILBOX_PASSWORD: 'alice-secret-2' });
      expect(run.out).toEqual([
        'updated mailbox for user alice: password',
        expect.stringMatching(/^0 created, 1 updated/),
      ]);
      expect(run.out.join('\n')).not.toContain('alice-secret-2');
      const mailbox = await mailboxOf('user', await userId('alice'));
      expect(secrets.open(mailbox.passwordEncrypted ?? '')).toBe('alice-secret-2');
    });

    it('role privileges, user roles, team members and team roles are full sets', async () => {
      const changed = exampleText
        .replace('      lead:read: businessUnit\n', '      lead:read: organization\n')
        .replace('      contact:read: businessUnit\n', '')
        .replace('    roles: [Support Agent]\n', '    roles: [Support Agent, Salesperson]\n') // carol
        .replace(
          '    members: [carol, dev]\n    roles: [Support Queue Owner]',
          '    members: [carol, alice]\n    roles: []',
        );
      const run = await apply([await file(changed)]);
      expect(run.err).toEqual([]);
      expect(run.out).toEqual([
        'updated role Support Agent: privileges (lead:read=businessUnit→organization, -contact:read)',
        'assigned role Salesperson to user carol',
        'added user alice to team Support Team',
        'removed user dev from team Support Team',
        'removed role Support Queue Owner from team Support Team',
        expect.stringMatching(/^0 created, 3 updated, \d+ unchanged$/),
      ]);
      const back = await apply([EXAMPLE]);
      expect(back.out).toEqual([
        'updated role Support Agent: privileges (+contact:read=businessUnit, lead:read=organization→businessUnit)',
        'removed role Salesperson from user carol',
        'added user dev to team Support Team',
        'removed user alice from team Support Team',
        'assigned role Support Queue Owner to team Support Team',
        expect.stringMatching(/^0 created, 3 updated/),
      ]);
    });

    it('an unknown role is reported with where it is used, and nothing is written', async () => {
      const before = await snapshot();
      const path = await file(
        exampleText
          .replace('name: Björn Berg', 'name: Björn B.') // a change before the bad reference
          .replace('    members: [dev]\n    roles: []', '    members: [dev]\n    roles: [Billing Clerk]'),
      );
      const run = await apply([path]);
      expect(run.code).toBe(1);
      expect(run.out).toEqual([]);
      expect(run.err).toEqual([
        `${path}: teams[1].roles[0]: no role named "Billing Clerk" (neither in this file nor in the database)`,
        'Nothing was changed.',
      ]);
      expect(await snapshot()).toEqual(before);
    });

    it('an unknown key is reported with its path', async () => {
      const path = await file(
        exampleText.replace('    emailAddress: carol@example.test', '    emial: carol@example.test'),
      );
      const run = await apply([path]);
      expect(run.code).toBe(1);
      expect(run.err[0]).toBe(`${path}: users[2].emial: unrecognized key`);
    });

    it('a missing environment variable is named, with where it is used', async () => {
      const { ALICE_MAILBOX_PASSWORD: _unset, ...env } = ENV;
      const run = await apply([EXAMPLE], env);
      expect(run.code).toBe(1);
      expect(run.err).toEqual([
        `${EXAMPLE}: mailboxes[2].password: environment variable ALICE_MAILBOX_PASSWORD is not set`,
        'Nothing was changed.',
      ]);
    });

    it('--dry-run on a changed file prints the plan and writes nothing', async () => {
      const before = await snapshot();
      const path = await file(
        exampleText.replace(
          'incomingEmailFilter: all\n    owner: { team: Billing Team }',
          'incomingEmailFilter: none\n    owner: { team: Billing Team }',
        ),
      );
      const run = await apply([path, '--dry-run']);
      expect(run.out).toEqual([
        'updated queue Billing: incomingEmailFilter',
        expect.stringMatching(/^0 created, 1 updated/),
        'Dry run as admin: nothing was written.',
      ]);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('authorization', () => {
    beforeAll(async () => {
      expect((await apply([EXAMPLE])).code).toBe(0);
      const viewer = await file('users:\n  - { username: viewer, name: Vera Viewer, businessUnit: Sales }\n');
      expect((await apply([viewer])).code).toBe(0);
    });

    it('--as a user without privileges: the 403 message, exit 1, nothing written', async () => {
      const before = await snapshot();
      const path = await file('businessUnits:\n  - { name: Marketing }\n');
      const run = await apply([path, '--as', 'viewer']);
      expect(run.code).toBe(1);
      expect(run.out).toEqual([]);
      expect(run.err[0]).toBe(
        `${path}: businessUnits[0] (Marketing): Vera Viewer may not create this business unit: prvCreateBusinessUnit (noRoles)`,
      );
      expect(await snapshot()).toEqual(before);
    });

    it('a refused change rolls back the changes made before it in the same run', async () => {
      const before = await snapshot();
      // alice (Salesperson) may change her own mailbox, not bjorn's
      const path = await file(
        [
          'mailboxes:',
          '  - { for: { user: alice }, actMethod: serverSideSync }',
          '  - { for: { user: bjorn }, actMethod: serverSideSync }',
          '',
        ].join('\n'),
      );
      const run = await apply([path, '--as', 'alice']);
      expect(run.code).toBe(1);
      expect(run.err[0]).toMatch(
        /^.*: mailboxes\[1\] \(for user bjorn\): Alice Andersen may not change this mailbox: prvWriteMailbox/,
      );
      expect(await snapshot()).toEqual(before);
      // the same file through the library: the service's 403 is the cause
      const error = await applyDocument(
        { db: database.db, secrets },
        loadDocument(await readFile(path, 'utf8'), path, {}),
        {
          as: 'alice',
        },
      ).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ApplyError);
      expect((error as ApplyError).cause).toBeInstanceOf(DomainError);
      expect(((error as ApplyError).cause as DomainError).statusCode).toBe(403);
    });

    it('--as a user that does not exist', async () => {
      const run = await apply([EXAMPLE, '--as', 'nobody']);
      expect(run).toMatchObject({
        code: 1,
        err: [`${EXAMPLE}: --as: no user with username nobody`, 'Nothing was changed.'],
      });
    });
  });

  describe('command line', () => {
    it('runs as `mailroom apply` through the command router', async () => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          "import('./src/cli/main.ts').then(async (m) => { process.exitCode = await m.runCli(process.argv.slice(1)); })",
          'apply',
          EXAMPLE,
          '--dry-run',
        ],
        {
          env: {
            ...process.env,
            ...ENV,
            MAILROOM_DATABASE_URL: database.url,
            MAILROOM_SECRET_KEY: config.secretKey,
            MAILROOM_DATA_DIR: folder,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout.trim().split('\n').at(-1)).toBe('Dry run as admin: nothing was written.');
    });

    it('usage errors exit 2', async () => {
      expect((await apply([])).code).toBe(2);
      expect((await apply([EXAMPLE, EXAMPLE])).code).toBe(2);
      expect((await apply([EXAMPLE, '--force'])).code).toBe(2);
      expect((await apply([join(folder, 'missing.yaml')])).code).toBe(2);
    });
  });
  describe('a dry run predicts the real run', () => {
    it('including side effects of earlier changes on later records', async () => {
      expect((await apply([EXAMPLE])).code).toBe(0);
      const changed = exampleText
        // disabling alice deactivates her mailbox; the mailbox entry then turns it back on
        .replace(
          '    emailAddress: alice@example.test\n    businessUnit: Sales Europe\n',
          '    emailAddress: alice@example.test\n    businessUnit: Sales Europe\n    disabled: true\n',
        )
        .replace(
          '    username: alice@example.test\n',
          '    username: alice@example.test\n    state: active\n',
        )
        // a new queue gets the default profile the organization section sets in the same run
        .replace('  defaultEmailServerProfile: Local Dovecot', '  defaultEmailServerProfile: Legacy POP3')
        .concat(
          [
            '  - for: { queue: Returns }',
            '    emailServerProfile: Local Dovecot',
            '  - for: { user: erik }',
            '    actMethod: serverSideSync',
            '',
          ].join('\n'),
        )
        .replace(
          'queues:\n',
          'queues:\n  - { name: Returns, emailAddress: returns@example.test, owner: { team: Support Team } }\n',
        )
        .replace('users:\n', 'users:\n  - { username: erik, name: Erik Ek, businessUnit: Partners }\n')
        // the root business unit is referred to by its name
        .replace('businessUnits:\n', 'businessUnits:\n  - { name: Partners, parent: Mailroom }\n');
      const path = await file(changed);
      const before = await snapshot();
      const dry = await apply([path, '--dry-run']);
      expect(dry.err).toEqual([]);
      expect(await snapshot()).toEqual(before);
      const real = await apply([path]);
      expect(real.err).toEqual([]);
      expect(dry.out.slice(0, -1)).toEqual(real.out);
      expect(real.out).toEqual(
        expect.arrayContaining([
          'created business unit Partners',
          'created user erik',
          'updated user alice: disabled',
          'updated organization settings: defaultEmailServerProfileId',
          'created queue Returns',
          'updated mailbox for queue Returns: emailServerProfileId',
          'updated mailbox for user alice: state',
          'updated mailbox for user erik: actMethod',
        ]),
      );
      expect((await apply([path])).out).toEqual(['No changes.']);
      const alice = await mailboxOf('user', await userId('alice'));
      expect(alice.state).toBe('active');
    });
  });
});

// Runs `mailroom worker` as a real child process, for tests that kill workers the way an operating
// system does: SIGKILL, no chance to clean up. The CLI runs through tsx (no build needed), or from a
// bundle made once per test file (`bundleCli`), which starts in a fraction of the time: tests that
// start dozens of workers on a busy machine need that.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const TSX_CLI = [
  '--import',
  'tsx',
  '-e',
  "import('./src/cli/main.ts').then(async (m) => { process.exitCode = await m.runCli(process.argv.slice(1)); })",
];

export interface CliBundle {
  /** node arguments that run the CLI */
  readonly args: readonly string[];
  remove(): Promise<void>;
}

/**
 * Compiles src/cli/main.ts and everything it imports into one file with esbuild (the compiler tsx
 * uses too), packages left as imports. The file sits one folder below the repository root, like
 * the built dist/runtime.js, so the CLI finds ../package.json (its version) the same way.
 */
export async function bundleCli(): Promise<CliBundle> {
  const folder = path.resolve('test-results');
  await mkdir(folder, { recursive: true });
  const name = `mailroom-cli-${randomBytes(4).toString('hex')}`;
  const bundle = path.join(folder, `${name}.bundle.mjs`);
  const entry = path.join(folder, `${name}.mjs`);
  await build({
    entryPoints: [path.resolve('src/cli/main.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: bundle,
    logLevel: 'error',
  });
  await writeFile(
    entry,
    `import { runCli } from './${name}.bundle.mjs';\nprocess.exitCode = await runCli(process.argv.slice(2));\n`,
  );
  return {
    args: [entry],
    async remove() {
      await Promise.all([rm(bundle, { force: true }), rm(entry, { force: true })]);
    },
  };
}

/** Enough of the log to explain a failure, without keeping every line of a long run. */
const LOG_TAIL_CHARS = 20_000;

export interface WorkerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface CliWorker {
  readonly workerId: string;
  readonly child: ChildProcess;
  /** resolves once the worker logged that its sync loop runs */
  readonly started: Promise<void>;
  readonly exited: Promise<WorkerExit>;
  /** the last lines the worker wrote (stdout and stderr) */
  logTail(): string;
  /** how many log lines matched, over the whole run */
  count(pattern: RegExp): number;
  /** SIGKILL, then waits until the process is gone (its sockets are closed by then) */
  kill(): Promise<WorkerExit>;
  /** SIGTERM: a clean stop */
  stop(): Promise<WorkerExit>;
}

export interface CliWorkerOptions {
  readonly workerId: string;
  /** MAILROOM_* variables: database URL, secret key, CA file… */
  readonly env: Record<string, string>;
  /** log lines to count as they pass (they are not all kept) */
  readonly watch?: readonly RegExp[];
  /** run this bundle rather than the sources through tsx */
  readonly bundle?: CliBundle;
}

export function startCliWorker(options: CliWorkerOptions): CliWorker {
  const cli = options.bundle?.args ?? TSX_CLI;
  const child = spawn(process.execPath, [...cli, 'worker'], {
    env: {
      ...process.env,
      MAILROOM_LOG_LEVEL: 'info',
      ...options.env,
      MAILROOM_WORKER_ID: options.workerId,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const counts = new Map<RegExp, number>();
  let signalStarted: () => void = () => undefined;
  let failStarted: (error: Error) => void = () => undefined;
  const started = new Promise<void>((resolve, reject) => {
    signalStarted = resolve;
    failStarted = reject;
  });
  // A worker killed before it started is a normal outcome of these tests, not an unhandled rejection.
  started.catch(() => undefined);
  let pending = '';
  const take = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-LOG_TAIL_CHARS);
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes('sync worker started')) signalStarted();
      for (const pattern of options.watch ?? []) {
        if (pattern.test(line)) counts.set(pattern, (counts.get(pattern) ?? 0) + 1);
      }
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = once(child, 'exit').then(([code, signal]) => {
    failStarted(new Error(`worker ${options.workerId} exited before it started:\n${tail}`));
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  return {
    workerId: options.workerId,
    child,
    started,
    exited,
    logTail: () => tail,
    count: (pattern) => counts.get(pattern) ?? 0,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

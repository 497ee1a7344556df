// Starts the real servers the integration tests talk to: Dovecot (IMAP, POP3, LMTP, submission),
// OpenSMTPD (the relay behind submission, delivering into Dovecot by LMTP) and Radicale (CalDAV and
// CardDAV, over HTTP and HTTPS). Everything lives in one temporary folder, binds 127.0.0.1 on ports
// chosen at start, and is described by a plain JSON object that other processes can read.
//
// OpenSMTPD has compiled-in paths (/var/spool/smtpd, /var/run/smtpd.sock), so normally only one
// instance can run per machine. We give each run its own instance anyway by starting it in a private
// mount namespace (`unshare --mount`, needs root) where our own folders are bound over /var/spool and
// /run. The network namespace is shared, so its port is reachable like any other.
//
// Install the programs with scripts/install-test-servers.sh (needs root).

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import {
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  readlink,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { dovecotConfig, radicaleConfig, smtpdConfig } from './server-configs/templates.js';

export interface Endpoint {
  host: string;
  port: number;
}

export interface ProcessRecord {
  name: string;
  /** Also the process group id: every server is started as the leader of its own group. */
  pid: number;
}

export interface TestServers {
  runId: string;
  /** The process that started the servers; a leftover folder whose owner is dead gets cleaned up. */
  ownerPid: number;
  tmpDir: string;
  /** Mail domain of test users; the relay accepts any domain and hands everything to Dovecot. */
  domain: string;
  tls: {
    /** The CA that signed the servers' certificate: trust this, never disable verification. */
    caPath: string;
    certPath: string;
    keyPath: string;
    /** Names in the certificate: DNS localhost and IP 127.0.0.1. */
    serverName: string;
  };
  /** Plain IMAP, STARTTLS offered, plaintext login allowed. */
  imap: Endpoint;
  /** Implicit TLS IMAP. */
  imaps: Endpoint;
  pop3: Endpoint;
  pop3s: Endpoint;
  /** Dovecot submission: AUTH PLAIN/LOGIN, STARTTLS offered. */
  submission: Endpoint;
  /** Dovecot LMTP: direct delivery, no authentication. */
  lmtp: Endpoint;
  /** OpenSMTPD: plain SMTP, accepts from anyone, delivers to Dovecot by LMTP. */
  relay: Endpoint;
  /** Radicale serves CalDAV and CardDAV from one root; a user's principal is `<url>/<username>/`. */
  dav: { httpUrl: string; httpsUrl: string };
  files: {
    /** Dovecot's users: one passwd-file per user named by the address, line `addr:{PLAIN}password`. */
    dovecotPasswdDir: string;
    radicaleHtpasswd: string;
    dovecotConfig: string;
    mailRoot: string;
    radicaleCollections: string;
    logs: { dovecot: string; smtpd: string; radicale: string; radicaleTls: string };
  };
  processes: ProcessRecord[];
}

/** Names the JSON file holding the TestServers descriptor, for test workers (see mail-users.ts). */
export const TEST_SERVERS_ENV = 'MAILROOM_TEST_SERVERS';

const execFileAsync = promisify(execFile);

const DOMAIN = 'example.test';
const HOST = '127.0.0.1';
const DIR_PREFIX = 'mailroom-servers-';
const OWNER_FILE = 'owner.json';
const MAIL_USER = 'vmail';
const START_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 3_000;
const ORPHAN_AGE_MS = 60_000;
const INSTALL_HINT = 'run `bash scripts/install-test-servers.sh` as root first';

const REQUIRED_FILES: readonly string[] = [
  '/usr/sbin/dovecot',
  '/usr/lib/dovecot/imap',
  '/usr/lib/dovecot/pop3',
  '/usr/lib/dovecot/lmtp',
  '/usr/lib/dovecot/submission',
  '/usr/sbin/smtpd',
  '/usr/lib/python3/dist-packages/radicale/__init__.py',
  // Debian's python3 has Radicale; another python3 may come first on PATH.
  '/usr/bin/python3',
  '/usr/bin/openssl',
  '/usr/bin/unshare',
];

/** Processes started by this module and not yet stopped, killed if the process exits without stop. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

export async function startTestServers(): Promise<TestServers> {
  assertInstalled();
  await cleanLeftovers();
  const mailUser = lookupSystemUser(MAIL_USER);
  // A port found free can be taken by another program before our server binds it; a second
  // attempt picks new ports.
  try {
    return await startOnce(mailUser);
  } catch (error) {
    if (!String(error).includes('in use')) throw error;
    return startOnce(mailUser);
  }
}

async function startOnce(mailUser: { uid: number; gid: number }): Promise<TestServers> {
  const runId = randomBytes(4).toString('hex');
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), DIR_PREFIX));
  // mkdtemp makes the folder private; Dovecot's unprivileged processes must reach their files.
  await chmod(tmpDir, 0o755);
  const started: ChildProcess[] = [];
  try {
    await writeOwnerFile(tmpDir, { ownerPid: process.pid, processes: [] });
    const servers = await prepareRun(runId, tmpDir, mailUser.uid, mailUser.gid);
    for (const spec of processSpecs(servers)) {
      const child = launch(spec, tmpDir);
      started.push(child);
      servers.processes.push({ name: spec.name, pid: child.pid ?? -1 });
      await writeOwnerFile(tmpDir, servers);
    }
    await waitUntilReady(servers, started);
    return servers;
  } catch (error) {
    await killGroups(started.map((c) => c.pid ?? -1).filter((pid) => pid > 0));
    await rm(tmpDir, { recursive: true, force: true });
    throw error;
  }
}

export async function stopTestServers(s: TestServers): Promise<void> {
  await killGroups(s.processes.map((p) => p.pid));
  await rm(s.tmpDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Preparing a run: ports, certificate, configuration files, folders

async function prepareRun(runId: string, tmpDir: string, uid: number, gid: number): Promise<TestServers> {
  const { imap, imaps, pop3, pop3s, submission, lmtp, relay, dav, davs } = await freePorts([
    'imap',
    'imaps',
    'pop3',
    'pop3s',
    'submission',
    'lmtp',
    'relay',
    'dav',
    'davs',
  ] as const);
  const p = (...parts: string[]): string => path.join(tmpDir, ...parts);
  const servers: TestServers = {
    runId,
    ownerPid: process.pid,
    tmpDir,
    domain: DOMAIN,
    tls: {
      caPath: p('tls', 'ca.pem'),
      certPath: p('tls', 'server.pem'),
      keyPath: p('tls', 'server.key'),
      serverName: 'localhost',
    },
    imap: { host: HOST, port: imap },
    imaps: { host: HOST, port: imaps },
    pop3: { host: HOST, port: pop3 },
    pop3s: { host: HOST, port: pop3s },
    submission: { host: HOST, port: submission },
    lmtp: { host: HOST, port: lmtp },
    relay: { host: HOST, port: relay },
    dav: { httpUrl: `http://${HOST}:${dav}`, httpsUrl: `https://localhost:${davs}` },
    files: {
      dovecotPasswdDir: p('dovecot', 'users'),
      radicaleHtpasswd: p('users.htpasswd'),
      dovecotConfig: p('dovecot', 'dovecot.conf'),
      mailRoot: p('mail'),
      radicaleCollections: p('radicale', 'collections'),
      logs: {
        dovecot: p('dovecot', 'dovecot.log'),
        smtpd: p('smtpd', 'smtpd.log'),
        radicale: p('radicale', 'radicale.log'),
        radicaleTls: p('radicale', 'radicale-tls.log'),
      },
    },
    processes: [],
  };
  await Promise.all([
    makeCertificates(p('tls'), servers.tls),
    writeDovecotFiles(servers, uid, gid),
    writeSmtpdFiles(servers),
    writeRadicaleFiles(servers, dav, davs),
  ]);
  return servers;
}

/** Binds port 0 to let the kernel pick; all sockets stay open until every port is known so none repeats. */
async function freePorts<K extends string>(names: readonly K[]): Promise<Record<K, number>> {
  const servers = await Promise.all(
    names.map(() => {
      return new Promise<net.Server>((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen(0, HOST, () => resolve(server));
      });
    }),
  );
  const ports = {} as Record<K, number>;
  names.forEach((name, i) => {
    ports[name] = (servers[i]?.address() as net.AddressInfo).port;
  });
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  return ports;
}

async function makeCertificates(dir: string, paths: TestServers['tls']): Promise<void> {
  await mkdir(dir, { recursive: true });
  const caKey = path.join(dir, 'ca.key');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'];
  // A separate CA (rather than one self-signed leaf) is what clients are configured with in production.
  await execFileAsync('/usr/bin/openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    caKey,
    '-out',
    paths.caPath,
    '-subj',
    '/CN=Mailroom Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await execFileAsync('/usr/bin/openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    paths.keyPath,
    '-out',
    paths.certPath,
    '-subj',
    '/CN=localhost',
    '-CA',
    paths.caPath,
    '-CAkey',
    caKey,
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-addext',
    'basicConstraints=CA:FALSE',
    '-addext',
    'extendedKeyUsage=serverAuth',
  ]);
  await chmod(paths.caPath, 0o644);
}

async function writeDovecotFiles(s: TestServers, uid: number, gid: number): Promise<void> {
  const dir = path.dirname(s.files.dovecotConfig);
  await Promise.all([
    mkdir(path.join(dir, 'run'), { recursive: true }),
    mkdir(path.join(dir, 'state'), { recursive: true }),
  ]);
  await mkdir(s.files.mailRoot, { recursive: true });
  await chown(s.files.mailRoot, uid, gid);
  await mkdir(s.files.dovecotPasswdDir, { recursive: true });
  const dhPath = '/usr/share/dovecot/dh.pem';
  const config = dovecotConfig({
    instanceName: `mailroom-${s.runId}`,
    baseDir: path.join(dir, 'run'),
    stateDir: path.join(dir, 'state'),
    logPath: s.files.logs.dovecot,
    passwdDir: s.files.dovecotPasswdDir,
    mailRoot: s.files.mailRoot,
    certPath: s.tls.certPath,
    keyPath: s.tls.keyPath,
    dhPath: existsSync(dhPath) ? dhPath : undefined,
    mailUid: uid,
    mailGid: gid,
    domain: s.domain,
    ports: {
      imap: s.imap.port,
      imaps: s.imaps.port,
      pop3: s.pop3.port,
      pop3s: s.pop3s.port,
      submission: s.submission.port,
      lmtp: s.lmtp.port,
    },
    relayPort: s.relay.port,
  });
  await writeFile(s.files.dovecotConfig, config);
}

function smtpdPaths(s: TestServers): {
  dir: string;
  config: string;
  virtuals: string;
  spool: string;
  run: string;
} {
  const dir = path.dirname(s.files.logs.smtpd);
  return {
    dir,
    config: path.join(dir, 'smtpd.conf'),
    virtuals: path.join(dir, 'virtuals'),
    spool: path.join(dir, 'spool'),
    run: path.join(dir, 'run'),
  };
}

async function writeSmtpdFiles(s: TestServers): Promise<void> {
  const paths = smtpdPaths(s);
  await Promise.all([mkdir(paths.spool, { recursive: true }), mkdir(paths.run, { recursive: true })]);
  // "@" maps every address to the mail user; OpenSMTPD then runs the LMTP client as that user.
  await writeFile(paths.virtuals, `@ ${MAIL_USER}\n`, { mode: 0o644 });
  await writeFile(
    paths.config,
    smtpdConfig({ virtualsPath: paths.virtuals, relayPort: s.relay.port, lmtpPort: s.lmtp.port }),
    { mode: 0o644 },
  );
}

function radicalePaths(s: TestServers): { dir: string; config: string; tlsConfig: string } {
  const dir = path.dirname(s.files.logs.radicale);
  return { dir, config: path.join(dir, 'radicale.conf'), tlsConfig: path.join(dir, 'radicale-tls.conf') };
}

async function writeRadicaleFiles(s: TestServers, port: number, tlsPort: number): Promise<void> {
  const paths = radicalePaths(s);
  await mkdir(s.files.radicaleCollections, { recursive: true });
  await writeFile(s.files.radicaleHtpasswd, '', { mode: 0o644 });
  const common = { htpasswdFile: s.files.radicaleHtpasswd, storageDir: s.files.radicaleCollections };
  // Two instances share storage and users (Radicale locks its storage), one plain and one HTTPS,
  // because one Radicale process serves either HTTP or HTTPS, not both.
  await writeFile(paths.config, radicaleConfig({ ...common, port, tls: undefined }));
  await writeFile(
    paths.tlsConfig,
    radicaleConfig({ ...common, port: tlsPort, tls: { certPath: s.tls.certPath, keyPath: s.tls.keyPath } }),
  );
}

// ---------------------------------------------------------------------------------------------
// Processes

interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  logPath: string;
}

function processSpecs(s: TestServers): ProcessSpec[] {
  const smtpd = smtpdPaths(s);
  const radicale = radicalePaths(s);
  // Inside its own mount namespace OpenSMTPD sees our folders at its compiled-in paths.
  const smtpdScript =
    'mount --bind "$1" /var/spool && mount --bind "$2" /run && exec /usr/sbin/smtpd -d -f "$3"';
  return [
    {
      name: 'dovecot',
      command: '/usr/sbin/dovecot',
      args: ['-F', '-c', s.files.dovecotConfig],
      logPath: path.join(path.dirname(s.files.dovecotConfig), 'stdout.log'),
    },
    {
      name: 'opensmtpd',
      command: '/usr/bin/unshare',
      args: [
        '--mount',
        '--propagation',
        'private',
        '--',
        '/bin/sh',
        '-c',
        smtpdScript,
        'smtpd-ns',
        smtpd.spool,
        smtpd.run,
        smtpd.config,
      ],
      logPath: s.files.logs.smtpd,
    },
    {
      name: 'radicale',
      command: '/usr/bin/python3',
      args: ['-m', 'radicale', '--config', radicale.config],
      logPath: s.files.logs.radicale,
    },
    {
      name: 'radicale-tls',
      command: '/usr/bin/python3',
      args: ['-m', 'radicale', '--config', radicale.tlsConfig],
      logPath: s.files.logs.radicaleTls,
    },
  ];
}

function launch(spec: ProcessSpec, cwd: string): ChildProcess {
  const fd = openSync(spec.logPath, 'a');
  try {
    // Own process group (detached), so stop can signal the server together with its children;
    // output goes to a file so this process holds no pipe that keeps it alive.
    const child = spawn(spec.command, spec.args, {
      cwd,
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
    liveGroups.add(child.pid);
    installExitHook();
    return child;
  } finally {
    closeSync(fd);
  }
}

/** If the starting process dies without calling stop, its servers must not outlive it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

/** A zombie still answers kill(pid, 0), so read the state instead. */
function isAlive(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

async function killGroups(pgids: number[]): Promise<void> {
  for (const pgid of pgids) signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + STOP_GRACE_MS;
  while (pgids.some(isAlive) && Date.now() < deadline) await sleep(50);
  // Children that ignored SIGTERM, or outlived their leader, still share the group.
  for (const pgid of pgids) {
    signalGroup(pgid, 'SIGKILL');
    liveGroups.delete(pgid);
  }
}

// ---------------------------------------------------------------------------------------------
// Readiness

interface Probe {
  name: string;
  processName: string;
  check: () => Promise<void>;
}

function probes(s: TestServers): Probe[] {
  const ca = readFileSync(s.tls.caPath);
  const greet = (
    name: string,
    processName: string,
    ep: Endpoint,
    secure: boolean,
    expected: string,
  ): Probe => ({
    name,
    processName,
    check: () => expectGreeting(ep, secure ? ca : undefined, expected),
  });
  return [
    greet('imap', 'dovecot', s.imap, false, '* OK'),
    greet('imaps', 'dovecot', s.imaps, true, '* OK'),
    greet('pop3', 'dovecot', s.pop3, false, '+OK'),
    greet('pop3s', 'dovecot', s.pop3s, true, '+OK'),
    greet('submission', 'dovecot', s.submission, false, '220'),
    greet('lmtp', 'dovecot', s.lmtp, false, '220'),
    greet('relay', 'opensmtpd', s.relay, false, '220'),
    { name: 'dav', processName: 'radicale', check: () => expectHttp(s.dav.httpUrl, undefined) },
    { name: 'davs', processName: 'radicale-tls', check: () => expectHttp(s.dav.httpsUrl, ca) },
  ];
}

async function waitUntilReady(s: TestServers, children: ChildProcess[]): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  const byName = new Map(s.processes.map((p, i) => [p.name, children[i]]));
  await Promise.all(
    probes(s).map(async (probe) => {
      for (;;) {
        const child = byName.get(probe.processName);
        if (child !== undefined && (child.exitCode !== null || child.signalCode !== null)) {
          throw new Error(`${probe.processName} exited during start-up\n${logTail(s, probe.processName)}`);
        }
        try {
          await probe.check();
          return;
        } catch (error) {
          if (Date.now() > deadline) {
            throw new Error(
              `${probe.name} not ready after ${START_TIMEOUT_MS} ms: ${String(error)}\n${logTail(s, probe.processName)}`,
            );
          }
          await sleep(50);
        }
      }
    }),
  );
}

function logTail(s: TestServers, processName: string): string {
  const logs: Record<string, string[]> = {
    dovecot: [s.files.logs.dovecot, path.join(path.dirname(s.files.dovecotConfig), 'stdout.log')],
    opensmtpd: [s.files.logs.smtpd],
    radicale: [s.files.logs.radicale],
    'radicale-tls': [s.files.logs.radicaleTls],
  };
  return (logs[processName] ?? [])
    .map((file) => {
      try {
        return `--- ${file}\n${readFileSync(file, 'utf8').split('\n').slice(-30).join('\n')}`;
      } catch {
        return `--- ${file} (missing)`;
      }
    })
    .join('\n');
}

/** Connects, reads the first line, and checks the protocol greeting. */
function expectGreeting(ep: Endpoint, ca: Buffer | undefined, expected: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket =
      ca === undefined
        ? net.connect(ep.port, ep.host)
        : tls.connect({ host: ep.host, port: ep.port, ca, servername: 'localhost' });
    let buffer = '';
    const finish = (error?: Error): void => {
      socket.destroy();
      if (error === undefined) resolve();
      else reject(error);
    };
    socket.setTimeout(2_000, () => finish(new Error('timeout')));
    socket.on('error', finish);
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      if (!buffer.includes('\n')) return;
      if (buffer.startsWith(expected)) finish();
      else finish(new Error(`unexpected greeting: ${buffer.trim()}`));
    });
  });
}

function expectHttp(url: string, ca: Buffer | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      res.resume();
      resolve();
    };
    const req = ca === undefined ? http.get(url, onResponse) : https.get(url, { ca }, onResponse);
    req.setTimeout(2_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------
// Environment checks and leftovers

function assertInstalled(): void {
  const missing = REQUIRED_FILES.filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(`test servers are not installed (missing ${missing.join(', ')}): ${INSTALL_HINT}`);
  }
  if (process.getuid?.() !== 0) {
    throw new Error('the test servers must be started as root (Dovecot master, OpenSMTPD namespace)');
  }
}

function lookupSystemUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const fields = line?.split(':');
  if (fields === undefined || fields.length < 4) {
    throw new Error(`system user ${name} is missing: ${INSTALL_HINT}`);
  }
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** What the leftover guard needs to know about a run. */
interface OwnerRecord {
  ownerPid: number;
  processes: ProcessRecord[];
}

/** Written aside and renamed in, so a concurrent guard never reads half a file. */
async function writeOwnerFile(dir: string, owner: OwnerRecord): Promise<void> {
  const file = path.join(dir, OWNER_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify({ ownerPid: owner.ownerPid, processes: owner.processes }));
  await rename(`${file}.tmp`, file);
}

/**
 * A run that crashed leaves its folder and maybe its servers. Those hold only their own ports and
 * folders, so they cannot break this run, but they pile up: stop any whose owner process is gone.
 */
async function cleanLeftovers(): Promise<void> {
  const root = os.tmpdir();
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const entry of entries.filter((e) => e.startsWith(DIR_PREFIX))) {
    const dir = path.join(root, entry);
    const owner = await readOwner(dir);
    if (owner !== undefined && isAlive(owner.ownerPid)) continue;
    // A folder without an owner file may belong to a run that is starting right now.
    if (owner === undefined && !(await isOlderThan(dir, ORPHAN_AGE_MS))) continue;
    const ours = await Promise.all(
      (owner?.processes ?? []).map(async (p) => ((await belongsTo(p.pid, dir)) ? p.pid : -1)),
    );
    await killGroups(ours.filter((pid) => pid > 0));
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

async function isOlderThan(file: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(file)).mtimeMs > ms;
  } catch {
    return false;
  }
}

async function readOwner(dir: string): Promise<OwnerRecord | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, OWNER_FILE), 'utf8')) as OwnerRecord;
  } catch {
    return undefined;
  }
}

/** Guards against a recycled pid: the process must still mention the run's folder. */
async function belongsTo(pid: number, dir: string): Promise<boolean> {
  if (!isAlive(pid)) return false;
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes(dir)) return true;
    return (await readlink(`/proc/${pid}/cwd`)).startsWith(dir);
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

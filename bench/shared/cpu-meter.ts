/**
 * CPU used during a measure, by the whole machine and by the processes that
 * share it (this benchmark process, Dovecot, PostgreSQL), read from /proc.
 *
 * Why: on a machine whose cores are all busy, a throughput target is a CPU
 * budget per message. Printing what each party used per message, in the same
 * run, shows where a figure comes from and whether a target fits at all.
 *
 * Processes that end during a measure (Dovecot's per-session imap processes,
 * PostgreSQL's backends) are counted through their parent's totals of reaped
 * children (cutime, cstime), which the kernel adds when they exit.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

export type CpuParty = 'benchmark' | 'dovecot' | 'postgres';

export interface CpuUse {
  readonly wallSeconds: number;
  /** core-seconds the machine had: cores × wall time */
  readonly capacity: number;
  /** core-seconds not idle, everything included (kernel threads, other services) */
  readonly busy: number;
  /** core-seconds used by each party, children included */
  readonly parties: Readonly<Record<CpuParty, number>>;
}

export interface CpuMeter {
  stop(): CpuUse;
}

const DOVECOT_PROCESSES =
  /^(dovecot|imap|imap-login|pop3|pop3-login|lmtp|auth|anvil|log|config|stats|submission|submission-login|indexer|indexer-worker)$/;
/** USER_HZ: /proc reports CPU time in these ticks on Linux */
const TICKS_PER_SECOND = 100;

function partyOf(pid: number, command: string): CpuParty | undefined {
  if (pid === process.pid) return 'benchmark';
  if (command.startsWith('postgres')) return 'postgres';
  if (DOVECOT_PROCESSES.test(command)) return 'dovecot';
  return undefined;
}

function partyTicks(): Record<CpuParty, number> {
  const ticks: Record<CpuParty, number> = { benchmark: 0, dovecot: 0, postgres: 0 };
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // the process ended meanwhile
    }
    // "pid (command) state ppid …": the command may hold spaces and parentheses.
    const close = stat.lastIndexOf(')');
    const party = partyOf(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
    if (party === undefined) continue;
    const fields = stat.slice(close + 2).split(' ');
    // utime, stime, cutime, cstime are fields 14–17 of the line, 12–15 after the command.
    ticks[party] += [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
  }
  return ticks;
}

function machineTicks(): { total: number; idle: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return { total, idle: fields[3]! + fields[4]! };
}

export function startCpuMeter(): CpuMeter {
  const started = process.hrtime.bigint();
  const machine = machineTicks();
  const parties = partyTicks();
  return {
    stop() {
      const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      const machineNow = machineTicks();
      const partiesNow = partyTicks();
      const used = (party: CpuParty) => Math.max(0, partiesNow[party] - parties[party]) / TICKS_PER_SECOND;
      return {
        wallSeconds,
        capacity: availableParallelism() * wallSeconds,
        busy: (machineNow.total - machine.total - (machineNow.idle - machine.idle)) / TICKS_PER_SECOND,
        parties: { benchmark: used('benchmark'), dovecot: used('dovecot'), postgres: used('postgres') },
      };
    },
  };
}

/** Machine CPU per message, in ms (everything on the machine, not only the named parties). */
export function cpuMsPerMessage(use: CpuUse, messages: number): number {
  return (use.busy * 1000) / messages;
}

/** "1.06 ms (benchmark 0.60, Dovecot 0.21, PostgreSQL 0.20, rest 0.05), machine 91 % busy" */
export function describeCpuPerMessage(use: CpuUse, messages: number): string {
  const ms = (seconds: number) => ((seconds * 1000) / messages).toFixed(2);
  const { benchmark, dovecot, postgres } = use.parties;
  const rest = Math.max(0, use.busy - benchmark - dovecot - postgres);
  return (
    `${cpuMsPerMessage(use, messages).toFixed(2)} ms (this process ${ms(benchmark)}, Dovecot ${ms(dovecot)}, PostgreSQL ${ms(postgres)}, ` +
    `rest ${ms(rest)}), machine ${Math.round((use.busy / use.capacity) * 100)} % busy`
  );
}

/**
 * The figures of the dashboard, computed from the public API's lists (the
 * newest records, up to a limit): mailbox statuses, alerts per day by code,
 * incoming email per hour, the last incoming cycle of each mailbox, and the
 * outgoing queue.
 */
import { listAll } from '../../api/client';
import type { Alert, ChannelStatus, Email, Mailbox } from '../../api/types';

export interface StatusRow {
  readonly channel: string;
  readonly Success: number;
  readonly Failure: number;
  readonly 'Not Run': number;
}

export interface DashboardData {
  readonly totals: {
    readonly mailboxes: number;
    readonly active: number;
    readonly withErrors: number;
    readonly pendingApproval: number;
    readonly openErrors: number;
    readonly openWarnings: number;
  };
  readonly statuses: StatusRow[];
  /** one row per day: { day, <code>: count, … } */
  readonly alertsByDay: Record<string, string | number>[];
  readonly alertCodes: string[];
  readonly incomingPerHour: { hour: string; emails: number }[];
  readonly cycles: { mailbox: string; durationMs: number; created: number }[];
  readonly outgoing: { status: string; emails: number }[];
  readonly loadedAt: Date;
}

const DAYS = 14;
const TOP_CODES = 5;

function countStatuses(
  mailboxes: readonly Mailbox[],
  pick: (m: Mailbox) => ChannelStatus,
  channel: string,
): StatusRow {
  const count = (status: ChannelStatus) => mailboxes.filter((m) => pick(m) === status).length;
  return { channel, Success: count('success'), Failure: count('failure'), 'Not Run': count('notRun') };
}

function dayKey(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function alertsPerDay(
  alerts: readonly Alert[],
  now: Date,
): { rows: Record<string, string | number>[]; codes: string[] } {
  const totals = new Map<string, number>();
  for (const alert of alerts) totals.set(alert.code, (totals.get(alert.code) ?? 0) + 1);
  const top = [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_CODES)
    .map(([code]) => code);
  const codes = totals.size > top.length ? [...top, 'Other'] : top;
  const rows: Record<string, string | number>[] = [];
  for (let i = DAYS - 1; i >= 0; i -= 1) {
    const day = new Date(now.getTime() - i * 86_400_000);
    const row: Record<string, string | number> = { day: dayKey(day).slice(5) };
    for (const code of codes) row[code] = 0;
    for (const alert of alerts) {
      if (dayKey(new Date(alert.firstSeenAt)) !== dayKey(day)) continue;
      const code = top.includes(alert.code) ? alert.code : 'Other';
      row[code] = Number(row[code] ?? 0) + 1;
    }
    rows.push(row);
  }
  return { rows, codes };
}

function perHour(emails: readonly Email[], now: Date): { hour: string; emails: number }[] {
  const rows: { hour: string; emails: number }[] = [];
  for (let i = 23; i >= 0; i -= 1) {
    const start = new Date(now.getTime() - i * 3_600_000);
    start.setMinutes(0, 0, 0);
    const end = start.getTime() + 3_600_000;
    rows.push({
      hour: `${String(start.getHours()).padStart(2, '0')}:00`,
      emails: emails.filter((e) => {
        const at = new Date(e.createdAt).getTime();
        return at >= start.getTime() && at < end;
      }).length,
    });
  }
  return rows;
}

const OUTGOING_STATUSES = ['pendingSend', 'sending', 'sent', 'failed'] as const;

export async function loadDashboard(): Promise<DashboardData> {
  const [mailboxes, alerts, incoming, outgoing] = await Promise.all([
    listAll<Mailbox>('/api/mailboxes'),
    listAll<Alert>('/api/alerts'),
    listAll<Email>('/api/emails', { direction: 'incoming' }, 1000),
    listAll<Email>('/api/emails', { direction: 'outgoing' }, 1000),
  ]);
  const now = new Date();
  const all = mailboxes.items;
  const open = alerts.items.filter((a) => a.resolvedAt === null);
  const byDay = alertsPerDay(alerts.items, now);
  return {
    totals: {
      mailboxes: all.length,
      active: all.filter((m) => m.state === 'active').length,
      withErrors: all.filter((m) => [m.incomingStatus, m.outgoingStatus, m.actStatus].includes('failure'))
        .length,
      pendingApproval: all.filter((m) => m.approvalStatus === 'pendingApproval').length,
      openErrors: open.filter((a) => a.level === 'error').length,
      openWarnings: open.filter((a) => a.level === 'warning').length,
    },
    statuses: [
      countStatuses(all, (m) => m.incomingStatus, 'Incoming'),
      countStatuses(all, (m) => m.outgoingStatus, 'Outgoing'),
      countStatuses(all, (m) => m.actStatus, 'ACT'),
    ],
    alertsByDay: byDay.rows,
    alertCodes: byDay.codes,
    incomingPerHour: perHour(incoming.items, now),
    cycles: all
      .filter((m) => m.incomingLastCycle)
      .map((m) => ({
        mailbox: m.name,
        durationMs: m.incomingLastCycle?.durationMs ?? 0,
        created: m.incomingLastCycle?.created ?? 0,
      }))
      .sort((a, b) => b.durationMs - a.durationMs)
      .slice(0, 10),
    outgoing: OUTGOING_STATUSES.map((status) => ({
      status,
      emails: outgoing.items.filter((e) => e.status === status).length,
    })),
    loadedAt: now,
  };
}

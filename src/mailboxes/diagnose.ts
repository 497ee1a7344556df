/**
 * `mailroom diagnose` and GET /api/mailboxes/{id}/diagnosis: every
 * precondition check of Test & Enable, without side effects, with the alert
 * each problem would raise, its diagnosis and fixes.
 */
import type { Db } from '../db/connection.js';
import type { Diagnosis, FixAction } from '../diagnostics/diagnosis.js';
import { getEntry, productNames, renderAlert } from '../diagnostics/render.js';
import type { SyncChannel } from '../security/sync-requirements.js';
import { loadMailboxContext } from './facts.js';
import { checkPreconditions } from './preconditions.js';

export interface DiagnosedProblem {
  readonly code: string;
  readonly entryId: string;
  readonly level: string;
  readonly failure: string;
  readonly message: string;
  readonly diagnosis: Diagnosis;
  readonly fixActions: readonly FixAction[];
}

export interface DiagnosisReport {
  readonly mailboxId: string;
  readonly mailboxName: string;
  /** true when no applicable channel has a problem */
  readonly ok: boolean;
  readonly channels: readonly {
    readonly channel: SyncChannel;
    readonly applicable: boolean;
    readonly problems: readonly DiagnosedProblem[];
  }[];
}

export async function diagnoseMailbox(db: Db, mailboxId: string): Promise<DiagnosisReport | undefined> {
  const context = await loadMailboxContext(db, mailboxId);
  if (!context) return undefined;
  const names = productNames(context.organization.productName);
  const channels = checkPreconditions(context.facts).map((verdict) => ({
    channel: verdict.channel,
    applicable: verdict.applicable,
    problems: verdict.problems.map((problem) => {
      const entry = getEntry(problem.entryId);
      return {
        code: entry.code,
        entryId: entry.id,
        level: entry.level,
        failure: entry.failure,
        message: renderAlert(entry, { ...names, ...problem.values }),
        diagnosis: problem.diagnosis,
        fixActions: problem.fixActions,
      };
    }),
  }));
  return {
    mailboxId,
    mailboxName: context.mailbox.name,
    ok: channels.every((channel) => channel.problems.length === 0),
    channels,
  };
}

/** The report as lines of text, for the command line. */
export function formatDiagnosis(report: DiagnosisReport): string {
  const lines = [`Mailbox ${report.mailboxName} (${report.mailboxId})`];
  for (const channel of report.channels) {
    if (!channel.applicable) {
      lines.push(`  ${channel.channel}: not used`);
      continue;
    }
    if (channel.problems.length === 0) {
      lines.push(`  ${channel.channel}: ready (Test & Enable will now connect to the server)`);
      continue;
    }
    lines.push(`  ${channel.channel}: ${channel.problems.length} problem(s)`);
    for (const problem of channel.problems) {
      lines.push(`    [${problem.level}] ${problem.code}`);
      lines.push(`      ${problem.message}`);
      lines.push(`      cause: ${problem.diagnosis.summary}`);
      lines.push(`      fix:   ${problem.diagnosis.fix}`);
      for (const action of problem.fixActions) lines.push(`      action available: ${action.label}`);
    }
  }
  lines.push(report.ok ? 'No problems found.' : 'Problems found.');
  return lines.join('\n');
}

/**
 * One outgoing cycle of one mailbox, under a lease the caller claimed:
 *
 * 1. Judge the mailbox with the same preconditions as Test & Enable; a
 *    problem raises its alert and fails the cycle (emails stay Pending Send).
 * 2. Take up to `batchSize` waiting emails, oldest request first. None: a
 *    quiet cycle, no connection is opened.
 * 3. For each: take a slot of the profile's rate limit (none left: stop, due
 *    again when the window ends), commit Sending with the Message-ID and
 *    tracking token (queue.ts explains the exactly-once rule), build the MIME
 *    message, send it over one SMTP session, then record the outcome
 *    (outcome.ts): Sent (+MR9 when some recipients were refused), Failed with
 *    an item alert, or back to Pending Send and stop the cycle with the
 *    failure. A copy of each sent message goes to the Sent folder over IMAP
 *    when the organization wants it and the profile has an IMAP server.
 * 4. Success resolves the channel's open alerts and resets the failure count;
 *    a failure raises its alert, backs off (transient, up to the transient
 *    failure limit, then MR15-out) or disables the channel (permanent).
 */
import type { Logger } from 'pino';
import { classifyFailure } from '../../connectors/classify.js';
import { ConnectorFailure, type Credentials, type ServerEndpoint } from '../../connectors/types.js';
import { openSmtpSession, type OpenSmtpSession, type SmtpSession } from '../../connectors/smtp/session.js';
import type { Db } from '../../db/connection.js';
import type { Row } from '../../db/schema.js';
import { ownedRef, raiseAlert } from '../../diagnostics/alerts.js';
import type { Diagnosis } from '../../diagnostics/diagnosis.js';
import { getEntry } from '../../diagnostics/render.js';
import {
  channelCredentials,
  CredentialsUnreadableError,
  emailEndpoint,
  incomingProtocol,
  type TlsTrust,
} from '../../mailboxes/connection-settings.js';
import type { MailboxContext } from '../../mailboxes/facts.js';
import type { SecretBox } from '../../security/secrets.js';
import {
  connectorFailure,
  recordFailure,
  recordSuccess,
  type CycleCounts,
  type CycleFailure,
} from '../cycle-bookkeeping.js';
import { failedCycle, runChannelCycle } from '../cycle-frame.js';
import type { SchedulePolicy } from '../due-time.js';
import { fence, type Lease } from '../scheduler.js';
import { buildMessage, type BuiltMessage } from './message.js';
import { acceptedOutcome, failedOutcome, type SendOutcome } from './outcome.js';
import {
  backToPending,
  emailContent,
  markFailed,
  markSent,
  recordHandOver,
  recordSentCopies,
  SendWithdrawnError,
  startSend,
  waitingEmails,
} from './queue.js';
import { takeSendSlot } from './rate-limit.js';
import { SentCopyQueue } from './sent-copies.js';
import { openSentFolder, type OpenSentFolder, type SentFolderSaver } from './sent-folder.js';
import { trackedSession } from '../../observability/metrics.js';

export interface OutgoingDependencies {
  readonly db: Db;
  readonly secrets: SecretBox;
  readonly trust: TlsTrust;
  readonly logger?: Logger | undefined;
  readonly openSmtp?: OpenSmtpSession | undefined;
  readonly openSentFolder?: OpenSentFolder | undefined;
  readonly policy?: SchedulePolicy | undefined;
  readonly random?: (() => number) | undefined;
  readonly leaseMs?: number | undefined;
  /** emails per cycle */
  readonly batchSize?: number | undefined;
  /** called after the server accepted the message and before Sent is recorded (crash tests) */
  readonly afterSend?: ((emailId: string) => Promise<void> | void) | undefined;
  /** called before the final dot is released; throwing withholds it (crash tests) */
  readonly beforeHandOver?: ((emailId: string) => Promise<void> | void) | undefined;
}

export const DEFAULT_LEASE_MS = 120_000;
const DEFAULT_BATCH_SIZE = 50;

export interface OutgoingStats {
  seen: number;
  sent: number;
  failed: number;
  /** sent, but some recipients were refused */
  partial: number;
  sentCopyFailures: number;
  /** Sent without the server's reply to the final dot (see queue.ts) */
  unconfirmed: number;
  /** SMTP connections opened (one per cycle unless the server dropped one) */
  smtpConnections: number;
}

export interface OutgoingCycleOutcome {
  readonly mailboxId: string;
  readonly outcome: 'success' | 'failure' | 'leaseLost' | 'gone';
  readonly stats: OutgoingStats;
  readonly entryId?: string;
  readonly code?: string;
  readonly disabled?: boolean;
  readonly nextDueAt?: Date | null;
}

/** Thrown inside the batch to stop the cycle with a failure (the email is already back in Pending Send). */
class StopCycle extends Error {
  constructor(readonly failure: CycleFailure) {
    super(failure.entryId);
  }
}

function emptyStats(): OutgoingStats {
  return { seen: 0, sent: 0, failed: 0, partial: 0, sentCopyFailures: 0, unconfirmed: 0, smtpConnections: 0 };
}

export async function runOutgoingCycle(
  deps: OutgoingDependencies,
  lease: Lease,
  options: { shouldStop?: () => boolean } = {},
): Promise<OutgoingCycleOutcome> {
  const stats = emptyStats();
  return runChannelCycle(deps, lease, options, {
    channel: 'outgoing',
    leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS,
    // Mailroom's own side (database, a bug): F3, retried.
    internalEntryId: 'F3',
    internalValues: { emailSubject: '(unknown)' },
    work: (context, run) => sendBatch(deps, lease, context, stats, run),
    describe: describeFailure,
    succeed: (context, startedAt, result) => succeed(deps, lease, context, startedAt, stats, result),
    fail: async (context, startedAt, failure) =>
      failedCycle(
        context.mailbox.id,
        stats,
        await recordFailure(deps, lease, context, {
          startedAt,
          counts: cycleCounts(stats),
          failure,
          limitAlertDiagnosis: true,
        }),
      ),
    unrecorded: (outcome) => ({ mailboxId: lease.mailboxId, outcome, stats }),
  });
}

interface BatchResult {
  /** more emails are waiting (a full batch, or stopped early) */
  readonly more: boolean;
  /** the rate limit stopped the batch: due again at this time */
  readonly rateLimitedUntil?: Date;
}

async function sendBatch(
  deps: OutgoingDependencies,
  lease: Lease,
  context: MailboxContext,
  stats: OutgoingStats,
  run: { shouldStop: () => boolean; logger: Logger | undefined },
): Promise<BatchResult> {
  const { mailbox, profile, organization } = context;
  if (!profile || !mailbox.emailAddress)
    throw new Error('the preconditions guarantee a profile and an address');
  const batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const emails = await waitingEmails(deps.db, mailbox.id, batchSize);
  if (emails.length === 0) return { more: false };

  const credentials = channelCredentials('outgoing', profile, mailbox, deps.secrets);
  const endpoint = emailEndpoint('outgoing', profile, deps.trust);
  if (!credentials || !endpoint) throw new Error('the preconditions guarantee credentials and a host');
  const saver = sentFolderFor(deps, context);
  const sentCopies = saver
    ? new SentCopyQueue(saver, (emailId, error) => {
        stats.sentCopyFailures += 1;
        run.logger?.warn({ err: error, emailId }, 'sent, but the copy could not be saved in the Sent folder');
      })
    : undefined;
  const session = trackedSession(
    profile.id,
    'smtp',
    (deps.openSmtp ?? openSmtpSession)(endpoint, credentials),
  );
  const refs = { mailbox: ownedRef(mailbox), profile: ownedRef(profile) };
  try {
    for (const waiting of emails) {
      if (run.shouldStop()) return { more: true };
      const slot = await takeSendSlot(deps.db, profile.id);
      if (!slot.granted) return { more: true, rateLimitedUntil: slot.retryAt };
      const started = await startSend(
        deps.db,
        lease,
        leaseMs,
        waiting.id,
        mailbox.emailAddress,
        organization,
      );
      if (!started) continue;
      stats.seen += 1;
      if (started.kind === 'handedOverBefore') {
        stats.sent += 1;
        stats.unconfirmed += 1;
        run.logger?.warn(
          { emailId: started.email.id },
          'email was interrupted after its message was handed to the server; marked Sent without sending it again',
        );
        // The cycle that sent it died with its Sent-folder copy: the same message is built again for it.
        if (sentCopies) {
          const sentAt = started.email.sendHandedOverAt ?? new Date();
          // The email is Sent already: failing to rebuild its copy costs the copy, never the cycle.
          try {
            const content = await emailContent(deps.db, started.email.id);
            const rebuilt = await buildEmail(context, started.email, content, true, sentAt);
            if (rebuilt.sentCopy) sentCopies.add(started.email.id, { raw: rebuilt.sentCopy, date: sentAt });
          } catch (error) {
            stats.sentCopyFailures += 1;
            run.logger?.warn(
              { err: error, emailId: started.email.id },
              'sent, but its Sent-folder copy could not be built',
            );
          }
        }
        continue;
      }
      const { email, resumed } = started;
      if (resumed)
        run.logger?.warn(
          { emailId: email.id },
          'email was interrupted before the server got all of it; sending it again with the same Message-ID',
        );
      const handOver = async () => {
        await deps.beforeHandOver?.(email.id);
        await recordHandOver(deps.db, lease, leaseMs, email.id);
      };
      let outcome: OneOutcome;
      try {
        outcome = await sendOne(deps, session, context, email, handOver, sentCopies !== undefined);
      } catch (error) {
        if (!(error instanceof SendWithdrawnError)) throw error;
        run.logger?.info({ emailId: email.id }, 'email withdrawn while it was being sent; not sent');
        continue;
      }
      const subject = email.subject;
      const finished = await deps.db.transaction().execute(async (trx) => {
        await fence(trx, lease, leaseMs);
        switch (outcome.kind) {
          case 'sent': {
            await markSent(trx, email.id, new Date());
            if (outcome.refused.length > 0) {
              await raiseAlert(trx, {
                ...refs,
                entryId: 'MR9',
                itemReference: email.id,
                values: { emailSubject: subject, recipients: outcome.refused.join(', ') },
                details: { emailId: email.id, messageId: email.messageId, refused: outcome.refused },
              });
            }
            return outcome;
          }
          case 'unconfirmed':
            await markSent(trx, email.id, new Date(), { unconfirmed: true });
            return outcome;
          case 'itemFailed':
            await markFailed(trx, email.id, outcome.outcome.code, outcome.outcome.reason);
            await raiseAlert(trx, {
              ...refs,
              entryId: outcome.outcome.entryId,
              itemReference: email.id,
              values: {
                emailSubject: subject,
                smtpReply: outcome.outcome.reason,
                sizeKb: Math.ceil((outcome.size ?? 0) / 1024),
              },
              details: { emailId: email.id, messageId: email.messageId, ...outcome.details },
            });
            return outcome;
          case 'stop':
            await backToPending(trx, email.id, getEntry(outcome.failure.entryId).code, outcome.reason);
            return outcome;
        }
      });
      if (finished.kind === 'itemFailed') {
        stats.failed += 1;
        continue;
      }
      if (finished.kind === 'sent' || finished.kind === 'unconfirmed') {
        stats.sent += 1;
        if (finished.kind === 'sent' && finished.refused.length > 0) stats.partial += 1;
        if (finished.kind === 'unconfirmed') stats.unconfirmed += 1;
        if (finished.built.sentCopy)
          sentCopies?.add(email.id, { raw: finished.built.sentCopy, date: new Date() });
      }
      if (finished.kind === 'stop' || finished.kind === 'unconfirmed') {
        throw new StopCycle({
          ...finished.failure,
          values: { ...finished.failure.values, emailSubject: subject },
        });
      }
    }
    return { more: emails.length === batchSize };
  } finally {
    stats.smtpConnections += session.stats.connections;
    await session.close().catch(() => undefined);
    if (sentCopies) {
      try {
        await recordSentCopies(deps.db, await sentCopies.finish());
      } catch (error) {
        // Only the copies' bookkeeping is lost; the cycle's own outcome (or error) is what counts.
        run.logger?.warn({ err: error }, 'could not record the Sent-folder copies of this cycle');
      }
    }
  }
}

type OneOutcome =
  | { kind: 'sent'; refused: readonly string[]; built: BuiltMessage }
  | {
      kind: 'itemFailed';
      outcome: Extract<SendOutcome, { action: 'itemFailed' }>;
      size?: number;
      details: Record<string, unknown>;
    }
  | { kind: 'stop'; failure: CycleFailure; reason: string }
  /** the final dot went out and the connection failed before the reply: Sent, not sent again */
  | { kind: 'unconfirmed'; failure: CycleFailure; built: BuiltMessage };

/** The email's MIME message (and its Sent-folder copy when asked), dated `date`. Throws when it cannot be built. */
async function buildEmail(
  context: MailboxContext,
  email: Row<'activities'>,
  content: Awaited<ReturnType<typeof emailContent>>,
  withSentCopy: boolean,
  date: Date,
): Promise<BuiltMessage> {
  const { mailbox, organization } = context;
  return buildMessage(
    {
      messageId: email.messageId!,
      date,
      from: { address: mailbox.emailAddress!, name: content.fromName },
      to: content.to,
      cc: content.cc,
      bcc: content.bcc,
      subject: email.subject,
      text: email.bodyText,
      html: email.bodyHtml,
      inReplyTo: email.inReplyTo,
      references: email.messageReferences,
      attachments: content.attachments,
      mailer: organization.productName,
    },
    { sentCopy: withSentCopy },
  );
}

async function sendOne(
  deps: OutgoingDependencies,
  session: SmtpSession,
  context: MailboxContext,
  email: Row<'activities'>,
  handOver: () => Promise<void>,
  withSentCopy: boolean,
): Promise<OneOutcome> {
  const content = await emailContent(deps.db, email.id);
  let built: BuiltMessage;
  try {
    built = await buildEmail(context, email, content, withSentCopy, new Date());
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      kind: 'itemFailed',
      outcome: { action: 'itemFailed', entryId: 'MR8', code: getEntry('MR8').code, reason },
      details: { during: 'build' },
    };
  }
  const result = await session.send(built.envelope, built.raw, { handOver });
  if (result.kind === 'accepted') {
    await deps.afterSend?.(email.id);
    const accepted = acceptedOutcome(result);
    if (accepted.action !== 'sent') throw new Error('unreachable');
    return { kind: 'sent', refused: accepted.refused, built };
  }
  const failure = result.failure;
  const classification = classifyFailure(failure.details, {
    channel: 'outgoing',
    credentialSource: context.profile?.credentialSource ?? 'mailbox',
    during: 'sync',
  });
  const cycleFailure: CycleFailure = {
    entryId: classification.entryId,
    failure: classification.failure,
    values: classification.values,
    diagnosis: diagnosisFor(context, classification.reason, classification.entryId),
    details: { during: 'sync', emailId: email.id, unconfirmed: result.unconfirmed, ...failure.details },
  };
  if (result.unconfirmed) return { kind: 'unconfirmed', failure: cycleFailure, built };
  const outcome = failedOutcome(classification);
  if (outcome.action === 'itemFailed') {
    return { kind: 'itemFailed', outcome, size: built.raw.length, details: { ...failure.details } };
  }
  if (outcome.action === 'stopCycle')
    return { kind: 'stop', reason: classification.reason, failure: cycleFailure };
  throw new Error('unreachable');
}

function sentFolderFor(deps: OutgoingDependencies, context: MailboxContext): SentFolderSaver | undefined {
  const { profile, mailbox, organization } = context;
  if (!organization.saveOutgoingEmailToSentFolder || !profile || !profile.incomingHost) return undefined;
  if (incomingProtocol(profile) !== 'imap' || profile.serverType !== 'imap-smtp') return undefined;
  let credentials: Credentials | undefined;
  let endpoint: ServerEndpoint | undefined;
  try {
    credentials = channelCredentials('incoming', profile, mailbox, deps.secrets);
    endpoint = emailEndpoint('incoming', profile, deps.trust);
  } catch {
    return undefined;
  }
  if (!credentials || !endpoint) return undefined;
  return (deps.openSentFolder ?? openSentFolder)(endpoint, credentials);
}

function diagnosisFor(context: MailboxContext, reason: string, entryId: string): Diagnosis {
  const profile = context.profile;
  return {
    summary: reason,
    findings: profile
      ? [{ record: { type: 'emailServerProfile', id: profile.id, name: profile.name }, problem: reason }]
      : [],
    fix: getEntry(entryId).fix,
  };
}

/** The outgoing channel's own errors (a stopped cycle carries its failure) → the alert each raises. */
function describeFailure(error: unknown, context: MailboxContext): CycleFailure | undefined {
  if (error instanceof StopCycle) return error.failure;
  if (error instanceof CredentialsUnreadableError)
    return { entryId: 'MR16-out', failure: 'permanent', details: { during: 'sync' } };
  if (error instanceof ConnectorFailure) return connectorFailure(error, context, 'outgoing');
  return undefined;
}

function cycleCounts(stats: OutgoingStats): CycleCounts {
  return {
    seen: stats.seen,
    created: stats.sent,
    associated: 0,
    failed: stats.failed,
    parked: 0,
    skipped: 0,
  };
}

async function succeed(
  deps: OutgoingDependencies,
  lease: Lease,
  context: MailboxContext,
  startedAt: Date,
  stats: OutgoingStats,
  result: BatchResult,
): Promise<OutgoingCycleOutcome> {
  const { mailbox } = context;
  const dueAt = await recordSuccess(deps, lease, context, {
    startedAt,
    counts: cycleCounts(stats),
    active: stats.seen > 0,
    // Rate limited: due when the window ends; more waiting: due at once.
    dueAt: result.rateLimitedUntil ?? (result.more ? new Date() : undefined),
  });
  return { mailboxId: mailbox.id, outcome: 'success', stats, nextDueAt: dueAt };
}

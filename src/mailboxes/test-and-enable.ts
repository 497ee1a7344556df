/**
 * Test & Enable: for each channel the mailbox uses, check the preconditions,
 * then really connect (incoming: log in and read the inbox; outgoing: send the
 * test message to the mailbox itself; ACT: discover and check the calendar and
 * address book). Each channel ends Success or Failure. A failure raises the
 * catalogue alert with its diagnosis and disables the channel when the failure
 * is permanent; a success enables the channel, resolves its open alerts and
 * tells the owner with an information alert.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Logger } from 'pino';
import {
  ConnectorFailure,
  type ActConnector,
  type ConnectorFailureDetails,
  type IncomingConnector,
  type OutgoingConnector,
} from '../connectors/types.js';
import type { Db } from '../db/connection.js';
import type { ChannelStatus } from '../db/schema.js';
import { ownedRef, raiseAlert, resolveAlerts } from '../diagnostics/alerts.js';
import type { Diagnosis } from '../diagnostics/diagnosis.js';
import { getEntry, type PlaceholderValues } from '../diagnostics/render.js';
import type { SecretBox } from '../security/secrets.js';
import type { SyncChannel } from '../security/sync-requirements.js';
import {
  channelCredentials,
  CredentialsUnreadableError,
  davEndpoint,
  emailEndpoint,
  incomingProtocol,
  type TlsTrust,
} from './connection-settings.js';
import { loadMailboxContext, type MailboxContext } from './facts.js';
import { checkPreconditions, type Problem } from './preconditions.js';
import { notifyDue } from '../sync/notify.js';

export interface ConnectorSet {
  incoming(protocol: 'imap' | 'pop3'): IncomingConnector;
  outgoing(): OutgoingConnector;
  act(): ActConnector;
}

/** Maps a connector failure to the catalogue entry to raise (see `src/connectors/classify.ts`). */
export type FailureClassifier = (
  failure: ConnectorFailureDetails,
  context: { channel: SyncChannel; credentialSource: 'profile' | 'mailbox'; during: 'test' | 'sync' },
) => {
  entryId: string;
  code: string;
  failure: 'transient' | 'permanent';
  reason: string;
  /** placeholder values the failure itself knows (server host, TLS reason, SMTP reply…) */
  values: PlaceholderValues;
};

export interface TestDependencies {
  readonly db: Db;
  readonly secrets: SecretBox;
  readonly connectors: ConnectorSet;
  readonly classify: FailureClassifier;
  readonly trust: TlsTrust;
  readonly logger?: Logger | undefined;
}

export interface ChannelOutcome {
  readonly channel: SyncChannel;
  readonly status: ChannelStatus;
  readonly code?: string;
  readonly message?: string;
  readonly diagnosis?: Diagnosis;
  /** what the successful probe saw */
  readonly summary?: string;
}

export interface TestOutcome {
  readonly mailboxId: string;
  readonly channels: readonly ChannelOutcome[];
}

const STATUS_COLUMNS = {
  incoming: { status: 'incomingStatus', enabled: 'incomingEnabled' },
  outgoing: { status: 'outgoingStatus', enabled: 'outgoingEnabled' },
  act: { status: 'actStatus', enabled: 'actEnabled' },
} as const;

const SUCCESS_ENTRIES: Readonly<Record<SyncChannel, string>> = {
  incoming: 'MR23-in',
  outgoing: 'MR23-out',
  act: 'MR23-act',
};

/** Runs Test & Enable for one mailbox now and records the outcome. */
export async function testAndEnable(
  deps: TestDependencies,
  mailboxId: string,
): Promise<TestOutcome | undefined> {
  const context = await loadMailboxContext(deps.db, mailboxId);
  if (!context) return undefined;
  const verdicts = checkPreconditions(context.facts);
  const outcomes: ChannelOutcome[] = [];
  for (const verdict of verdicts) {
    if (!verdict.applicable) {
      outcomes.push({ channel: verdict.channel, status: 'notRun' });
      continue;
    }
    const first = verdict.problems[0];
    outcomes.push(
      first ? await recordProblem(deps, context, first) : await probeChannel(deps, context, verdict.channel),
    );
  }
  await deps.db
    .updateTable('mailboxes')
    .set({
      incomingStatus: outcomes.find((o) => o.channel === 'incoming')?.status ?? 'notRun',
      outgoingStatus: outcomes.find((o) => o.channel === 'outgoing')?.status ?? 'notRun',
      actStatus: outcomes.find((o) => o.channel === 'act')?.status ?? 'notRun',
      testScheduled: false,
      testStartedAt: null,
      testCompletedAt: new Date(),
      // A tested channel is due at once ("fixed, try now"), not after its backoff; one already due keeps its place.
      incomingDueAt: dueAtOnce('incoming'),
      outgoingDueAt: dueAtOnce('outgoing'),
      actDueAt: dueAtOnce('act'),
      updatedAt: new Date(),
    })
    .where('id', '=', mailboxId)
    .execute();
  await notifyDue(deps.db, 'incoming', 'outgoing', 'act');
  return { mailboxId, channels: outcomes };
}

/** The channel's due time brought forward to now; an earlier one (or none: due already) stays. */
export function dueAtOnce(channel: SyncChannel): RawBuilder<Date | null> {
  const column = sql.raw(`${channel}_due_at`);
  return sql<Date | null>`CASE WHEN ${column} IS NULL OR ${column} <= now() THEN ${column} ELSE now() END`;
}

async function setChannelEnabled(
  db: Db,
  mailboxId: string,
  channel: SyncChannel,
  enabled: boolean,
): Promise<void> {
  await db
    .updateTable('mailboxes')
    .set({ [STATUS_COLUMNS[channel].enabled]: enabled })
    .where('id', '=', mailboxId)
    .execute();
}

async function recordProblem(
  deps: TestDependencies,
  context: MailboxContext,
  problem: Problem,
): Promise<ChannelOutcome> {
  const entry = getEntry(problem.entryId);
  const alert = await raiseAlert(deps.db, {
    entryId: problem.entryId,
    values: problem.values,
    mailbox: ownedRef(context.mailbox),
    profile: context.profile ? ownedRef(context.profile) : null,
    diagnosis: problem.diagnosis,
    fixActions: problem.fixActions,
    details: { during: 'testAndEnable' },
  });
  // A transient cause (e.g. a queue owner without roles) keeps the channel retrying; a permanent one stops it.
  await setChannelEnabled(deps.db, context.mailbox.id, problem.channel, entry.failure === 'transient');
  return {
    channel: problem.channel,
    status: 'failure',
    code: entry.code,
    message: alert?.message ?? entry.template,
    diagnosis: problem.diagnosis,
  };
}

async function probeChannel(
  deps: TestDependencies,
  context: MailboxContext,
  channel: SyncChannel,
): Promise<ChannelOutcome> {
  const { mailbox, profile, organization } = context;
  if (!profile) throw new Error('preconditions guarantee a profile');
  const mailboxRef = ownedRef(mailbox);
  const profileRef = ownedRef(profile);
  try {
    const credentials = channelCredentials(channel, profile, mailbox, deps.secrets);
    if (!credentials) throw new Error('preconditions guarantee credentials');
    let summary: string;
    if (channel === 'act') {
      const endpoint = davEndpoint(profile, deps.trust);
      if (!endpoint) throw new Error('preconditions guarantee an ACT URL');
      summary = (await deps.connectors.act().probe(endpoint, credentials)).summary;
    } else {
      const endpoint = emailEndpoint(channel, profile, deps.trust);
      if (!endpoint) throw new Error('preconditions guarantee a host');
      if (channel === 'incoming') {
        summary = (await deps.connectors.incoming(incomingProtocol(profile)).probe(endpoint, credentials))
          .summary;
      } else {
        const address = mailbox.emailAddress ?? '';
        const sent = await deps.connectors.outgoing().send(endpoint, credentials, {
          from: address,
          to: [address],
          subject: context.facts.testSubject,
          text: `This message was sent by ${organization.productName} to test the mailbox ${mailbox.name}. You can delete it.`,
        });
        summary = `test message sent to ${address} (${sent.messageId})`;
      }
    }
    await resolveAlerts(deps.db, { mailboxId: mailbox.id, channels: [channel] });
    await setChannelEnabled(deps.db, mailbox.id, channel, true);
    const alert = await raiseAlert(deps.db, {
      entryId: SUCCESS_ENTRIES[channel],
      values: { emailSubject: context.facts.testSubject, emailAddress: mailbox.emailAddress ?? '' },
      mailbox: mailboxRef,
      profile: profileRef,
      details: { summary },
    });
    return { channel, status: 'success', summary, ...(alert ? { message: alert.message } : {}) };
  } catch (error) {
    if (error instanceof CredentialsUnreadableError) {
      const entryId = { incoming: 'MR16-in', outgoing: 'MR16-out', act: 'MR16-act' }[channel];
      const alert = await raiseAlert(deps.db, { entryId, mailbox: mailboxRef, profile: profileRef });
      await setChannelEnabled(deps.db, mailbox.id, channel, false);
      return { channel, status: 'failure', code: getEntry(entryId).code, message: alert?.message ?? '' };
    }
    if (!(error instanceof ConnectorFailure)) throw error;
    const classification = deps.classify(error.details, {
      channel,
      credentialSource: profile.credentialSource,
      during: 'test',
    });
    const diagnosis: Diagnosis = {
      summary: classification.reason,
      findings: [
        {
          record: { type: 'emailServerProfile', id: profile.id, name: profile.name },
          problem: classification.reason,
        },
      ],
      fix: getEntry(classification.entryId).fix,
    };
    const alert = await raiseAlert(deps.db, {
      entryId: classification.entryId,
      values: {
        emailSubject: context.facts.testSubject,
        emailAddress: mailbox.emailAddress ?? '',
        reason: classification.reason,
        ...classification.values,
      },
      mailbox: mailboxRef,
      profile: profileRef,
      diagnosis,
      details: { during: 'testAndEnable', ...error.details },
    });
    await setChannelEnabled(deps.db, mailbox.id, channel, classification.failure === 'transient');
    deps.logger?.info(
      { mailboxId: mailbox.id, channel, code: classification.code },
      'test and enable: channel failed',
    );
    return {
      channel,
      status: 'failure',
      code: classification.code,
      message: alert?.message ?? '',
      diagnosis,
    };
  }
}

/** Asks for a test; a worker (this process's or another's) runs it. */
export async function scheduleTest(
  db: Db,
  mailboxIds: readonly string[],
  requestedBy: string,
): Promise<void> {
  if (mailboxIds.length === 0) return;
  await db
    .updateTable('mailboxes')
    .set((eb) => ({
      testScheduled: true,
      testRequestedAt: new Date(),
      testRequestedBy: requestedBy,
      testStartedAt: null,
      testAttempts: eb('testAttempts', '+', 1),
    }))
    .where('id', 'in', [...mailboxIds])
    .execute();
}

/** How long a claimed test may run before another worker may take it over. */
const TEST_CLAIM_MS = 5 * 60_000;

/**
 * Claims up to `limit` scheduled tests. `SKIP LOCKED` lets any number of
 * workers claim at once without taking the same mailbox; a claim older than
 * the limit (its worker died) is taken over.
 */
export async function claimScheduledTests(db: Db, limit: number): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('mailboxes')
      .select('id')
      .where('testScheduled', '=', true)
      .where((eb) =>
        eb.or([
          eb('testStartedAt', 'is', null),
          eb('testStartedAt', '<', new Date(Date.now() - TEST_CLAIM_MS)),
        ]),
      )
      .orderBy('testRequestedAt')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    const ids = due.map((row) => row.id);
    if (ids.length > 0) {
      await trx.updateTable('mailboxes').set({ testStartedAt: new Date() }).where('id', 'in', ids).execute();
    }
    return ids;
  });
}

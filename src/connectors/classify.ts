/**
 * The one error classifier: a connector failure plus where it happened →
 * the alert catalogue entry to raise, its level, transient or permanent, and
 * a one-sentence reason. Pure: no I/O, no clock.
 *
 * Three steps: what went wrong (classification/kinds.ts), which entry says
 * that for this channel (the table below), and the reason in our words
 * (classification/reasons.ts).
 */
import type { AlertLevel } from '../diagnostics/alert-catalogue.js';
import { getEntry, type PlaceholderValues } from '../diagnostics/render.js';
import { failureKind, type FailureKind } from './classification/kinds.js';
import { certificateProblem, reasonFor } from './classification/reasons.js';
import type { ConnectorFailureDetails } from './types.js';

export { FAILURE_KINDS, failureKind, type FailureKind } from './classification/kinds.js';

export type ClassifyChannel = 'incoming' | 'outgoing' | 'act';

export interface ClassifyContext {
  readonly channel: ClassifyChannel;
  /** where the credentials that were used come from: decides A26 (profile) or A27 (mailbox) */
  readonly credentialSource: 'profile' | 'mailbox';
  /** Test & Enable, or a sync cycle: a refused test message fails the channel, a refused email only itself */
  readonly during: 'test' | 'sync';
}

export interface Classification {
  readonly entryId: string;
  readonly code: string;
  readonly level: AlertLevel;
  readonly failure: 'transient' | 'permanent';
  /** one sentence, lower case, no final period, naming the exact cause */
  readonly reason: string;
  /** what went wrong, protocol-neutral (see FAILURE_KINDS) */
  readonly kind: FailureKind;
  /**
   * Template values the failure itself supplies: serverHost, tlsReason,
   * smtpReply, collectionName, recipients, reason. The caller adds mailbox,
   * profile and product names.
   */
  readonly values: PlaceholderValues;
}

type EntryChoice = string | ((context: ClassifyContext, failure: ConnectorFailureDetails) => string);

/** Failure kind × channel → catalogue entry id. Every cell is filled, so every failure gets an entry. */
export const CLASSIFICATION_TABLE: Readonly<
  Record<FailureKind, Readonly<Record<ClassifyChannel, EntryChoice>>>
> = {
  // A17's text says the server location or port is wrong; A15 (and its ACT
  // variant) say "cannot connect", which A15's catalogue row also uses for an
  // unknown host name when sending.
  'host-not-found': { incoming: 'A17', outgoing: 'A15', act: 'A15-act' },
  'connect-failed': { incoming: 'A15-in', outgoing: 'A15', act: 'A15-act' },
  timeout: { incoming: 'A16', outgoing: 'A16-out', act: 'A16-act' },
  'untrusted-certificate': { incoming: 'MR1-in', outgoing: 'MR1-out', act: 'MR1-act' },
  'tls-failed': { incoming: 'A33', outgoing: 'A19', act: 'MR2' },
  'wrong-protocol': { incoming: 'A17', outgoing: 'A18', act: 'A15-act' },
  'service-refused': { incoming: 'C10', outgoing: 'A18', act: 'A15-act' },
  credentials: {
    incoming: ({ credentialSource }) => (credentialSource === 'profile' ? 'A26-in' : 'A27-in'),
    outgoing: ({ credentialSource }) => (credentialSource === 'profile' ? 'A26-out' : 'A27-out'),
    // The reference has one ACT credentials text; the catalogue uses it for both sources.
    act: 'A12-act',
  },
  // A26's row: "refuses to relay for that account" is a credentials problem.
  'relay-denied': {
    incoming: 'C8',
    outgoing: ({ credentialSource }) => (credentialSource === 'profile' ? 'A26-out' : 'A27-out'),
    act: 'A15-act',
  },
  dropped: { incoming: 'MR3-in', outgoing: 'F5', act: 'MR3-act' },
  'mailbox-in-use': { incoming: 'C9', outgoing: 'F4', act: 'A15-act' },
  'server-unavailable': { incoming: 'C12', outgoing: 'F4', act: 'A15-act' },
  'uidl-unsupported': { incoming: 'MR19', outgoing: 'F3', act: 'A15-act' },
  'temporary-reply': { incoming: 'C12', outgoing: 'F4', act: 'A15-act' },
  // During Test & Enable the refused message is the test message: the
  // channel fails with the reference's Test & Enable text (A18, row A35);
  // during sync only that email fails (item level).
  'message-too-large': {
    incoming: 'C8',
    outgoing: ({ during }) => (during === 'test' ? 'A18' : 'MR4-out'),
    act: 'A15-act',
  },
  'message-rejected': {
    incoming: 'C8',
    outgoing: ({ during }) => (during === 'test' ? 'A18' : 'MR8'),
    act: 'A15-act',
  },
  // "Make sure the credentials … have sufficient permissions": the closest text for a refused read.
  'forbidden-read': { incoming: 'C4', outgoing: 'F3', act: 'A12-act' },
  'forbidden-write': { incoming: 'C4', outgoing: 'F3', act: 'MR20' },
  'not-found': { incoming: 'C4', outgoing: 'F3', act: 'A29-act' },
  conflict: { incoming: 'C8', outgoing: 'F3', act: 'E5' },
  // A server error writing one item during sync is that item's failure (E6);
  // anywhere else the whole ACT cycle is retried.
  'http-error': {
    incoming: 'C8',
    outgoing: 'F3',
    act: ({ during }, failure) => (during === 'sync' && failure.stage === 'write' ? 'E6' : 'A15-act'),
  },
  'command-failed': { incoming: 'C4', outgoing: 'F3', act: 'A15-act' },
  unknown: { incoming: 'C8', outgoing: 'F3', act: 'A15-act' },
};

export function classifyFailure(failure: ConnectorFailureDetails, context: ClassifyContext): Classification {
  const kind = failureKind(failure);
  const choice = CLASSIFICATION_TABLE[kind][context.channel];
  const entryId = typeof choice === 'string' ? choice : choice(context, failure);
  const entry = getEntry(entryId);
  const reason = reasonFor(kind, failure, context.credentialSource);
  return {
    entryId,
    code: entry.code,
    level: entry.level,
    // Entries chosen here are all transient or permanent (a unit test checks);
    // 'none' would mean "not a failure", which a ConnectorFailure never is.
    failure: entry.failure === 'transient' ? 'transient' : 'permanent',
    reason,
    kind,
    values: valuesFor(kind, failure, reason),
  };
}

function valuesFor(kind: FailureKind, failure: ConnectorFailureDetails, reason: string): PlaceholderValues {
  const values: Partial<
    Record<'serverHost' | 'tlsReason' | 'smtpReply' | 'collectionName' | 'recipients' | 'reason', string>
  > = {
    reason,
  };
  const host = failure.host ?? (failure.url === undefined ? undefined : new URL(failure.url).hostname);
  if (host !== undefined) values.serverHost = host;
  if (kind === 'untrusted-certificate')
    values.tlsReason = `the certificate ${certificateProblem(failure.errorCode)}`;
  if (
    failure.protocol === 'smtp' &&
    (failure.serverText !== undefined || failure.responseCode !== undefined)
  ) {
    const text = failure.serverText ?? '';
    values.smtpReply =
      failure.responseCode === undefined || text.startsWith(String(failure.responseCode))
        ? text
        : `${failure.responseCode} ${text}`.trim();
  }
  if (failure.url !== undefined) values.collectionName = failure.url;
  if (failure.recipient !== undefined) values.recipients = failure.recipient;
  return values;
}

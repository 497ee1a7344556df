/**
 * Why an email waits in Pending Send. The reference leaves the user guessing
 * (F8: "Outgoing isn't configured, approved, or tested and enabled"); Mailroom
 * says which, from the sending mailbox's state and the same precondition
 * checks Test & Enable and every cycle run. Pure.
 */
import type { ChannelStatus, OutgoingMethod } from '../../db/schema.js';
import { checkPreconditions, type PreconditionFacts } from '../../mailboxes/preconditions.js';

export type PendingReasonCode =
  | 'noSendingMailbox'
  | 'outgoingNotConfigured'
  | 'precondition'
  | 'notTested'
  | 'channelDisabled'
  | 'retrying'
  | 'rateLimited'
  | 'queued';

export interface PendingReason {
  readonly code: PendingReasonCode;
  /** the catalogue code of the problem, for `precondition` and the last error */
  readonly alertCode?: string | undefined;
  readonly message: string;
}

export interface OutgoingChannelState {
  readonly outgoingMethod: OutgoingMethod;
  readonly outgoingEnabled: boolean;
  readonly outgoingStatus: ChannelStatus;
  readonly outgoingFailureCount: number;
  readonly outgoingDueAt: Date | null;
  readonly lastOutgoingErrorCode: string | null;
}

export function pendingReason(
  facts: PreconditionFacts | undefined,
  channel: OutgoingChannelState | undefined,
  entryCode: (entryId: string) => string,
): PendingReason {
  if (!facts || !channel) {
    return {
      code: 'noSendingMailbox',
      message:
        'No mailbox sends for the sender of this email: give the sender a mailbox with outgoing email set to server-side synchronization.',
    };
  }
  const name = facts.mailbox.name;
  if (channel.outgoingMethod === 'none' || facts.mailbox.isForwardMailbox) {
    return {
      code: 'outgoingNotConfigured',
      message: `Outgoing email is not set to server-side synchronization on the mailbox ${name}.`,
    };
  }
  const problem = checkPreconditions(facts).find((verdict) => verdict.channel === 'outgoing')?.problems[0];
  if (problem) {
    return {
      code: 'precondition',
      alertCode: entryCode(problem.entryId),
      message: `${capitalize(problem.diagnosis.summary)}. ${problem.diagnosis.fix}`,
    };
  }
  if (channel.outgoingStatus === 'notRun') {
    return {
      code: 'notTested',
      message: `The mailbox ${name} has not been through Test & Enable for outgoing email yet: run Test & Enable.`,
    };
  }
  if (!channel.outgoingEnabled) {
    return {
      code: 'channelDisabled',
      alertCode: channel.lastOutgoingErrorCode ?? undefined,
      message: `Sending is disabled for the mailbox ${name}${channel.lastOutgoingErrorCode ? ` after the error ${channel.lastOutgoingErrorCode}` : ''}: fix the cause named in its alert, then run Test & Enable.`,
    };
  }
  if (channel.outgoingStatus === 'failure' && channel.outgoingFailureCount > 0) {
    return {
      code: 'retrying',
      alertCode: channel.lastOutgoingErrorCode ?? undefined,
      message: `The last attempt to send through the mailbox ${name} failed${channel.lastOutgoingErrorCode ? ` (${channel.lastOutgoingErrorCode})` : ''}; it is tried again${channel.outgoingDueAt ? ` at ${channel.outgoingDueAt.toISOString()}` : ' shortly'}.`,
    };
  }
  return {
    code: 'queued',
    message: `Waiting for the next outgoing cycle of the mailbox ${name}.`,
  };
}

function capitalize(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}

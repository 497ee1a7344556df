/**
 * Who an email is sent as, and whether the person asking may send it so.
 * Pure: the caller loads the parties, the users and the privilege snapshot.
 *
 * The sender is the email's From party: a user (sent through that user's
 * mailbox), a queue (through the queue's mailbox), or an address (through the
 * mailbox that has it). Without a From party the email goes out as its owner.
 *
 * Sending as another user (the sender is a user who is not the one asking)
 * needs both, as in the reference (F7):
 * - the special privilege Send Email as Another User (`sendAsUser`) at a
 *   depth that reaches that user, and
 * - that user's consent: "allow other users to send email on your behalf"
 *   (`allowSendAs`).
 * Otherwise the request is refused with F7's text and nothing changes.
 */
import { specialPrivilege } from '../../security/catalogue.js';
import { decide } from '../../security/engine.js';
import type { BusinessUnitTree, Principal } from '../../security/model.js';

export interface SenderUser {
  readonly id: string;
  readonly name: string;
  readonly businessUnitId: string;
  readonly allowSendAs: boolean;
}

export type SendAsVerdict =
  | { readonly allowed: true; readonly sendingAsOther: boolean }
  | {
      readonly allowed: false;
      /** what is missing: the privilege, the user's consent, or both */
      readonly missing: readonly ('privilege' | 'consent')[];
      readonly privilegeReason?: string;
    };

/** `sender`: the user the email is sent as (null when it is sent as a queue or an address). */
export function judgeSendAs(
  actor: Principal,
  sender: SenderUser | null,
  tree: BusinessUnitTree,
): SendAsVerdict {
  if (sender === null || (actor.kind === 'user' && actor.id === sender.id)) {
    return { allowed: true, sendingAsOther: false };
  }
  const decision = decide(
    actor,
    specialPrivilege('sendAsUser'),
    { entity: 'user', ownerId: sender.id, businessUnitId: sender.businessUnitId },
    tree,
  );
  const missing: ('privilege' | 'consent')[] = [];
  if (!decision.allowed) missing.push('privilege');
  if (!sender.allowSendAs) missing.push('consent');
  if (missing.length === 0) return { allowed: true, sendingAsOther: true };
  return {
    allowed: false,
    missing,
    ...(decision.allowed ? {} : { privilegeReason: decision.reason }),
  };
}

/**
 * A diagnosis says, in words and as data, which records are at fault and what
 * would fix them; fix actions are the fixes Mailroom can make itself when an
 * authorized admin asks (see `fix-actions.ts`).
 */

export type RecordType =
  'mailbox' | 'emailServerProfile' | 'user' | 'team' | 'queue' | 'role' | 'businessUnit' | 'organization';

export interface RecordLink {
  readonly type: RecordType;
  readonly id: string;
  readonly name: string;
}

export interface Finding {
  /** the record that is at fault */
  readonly record: RecordLink;
  /** what is wrong with it, in plain words */
  readonly problem: string;
}

export interface Diagnosis {
  /** one sentence naming the exact cause, e.g. "queue Support is owned by team Support Team, which has no security roles" */
  readonly summary: string;
  readonly findings: readonly Finding[];
  /** what to do, in plain words */
  readonly fix: string;
}

/** Data changes Mailroom can apply for an admin, each named by what it does. */
export type FixAction =
  | { readonly kind: 'activateProfile'; readonly label: string; readonly profileId: string }
  | {
      readonly kind: 'assignRole';
      readonly label: string;
      readonly holder: 'users' | 'teams';
      readonly holderId: string;
      readonly roleId: string;
    }
  | {
      readonly kind: 'setMailboxOwnerToUser';
      readonly label: string;
      readonly mailboxId: string;
      readonly userId: string;
    }
  | { readonly kind: 'approveEmailAddress'; readonly label: string; readonly mailboxId: string }
  | { readonly kind: 'activateMailbox'; readonly label: string; readonly mailboxId: string }
  | { readonly kind: 'enableUser'; readonly label: string; readonly userId: string };

export type FixActionKind = FixAction['kind'];

/**
 * The checks Test & Enable (and `mailroom diagnose`) run before touching a
 * mail server: is the mailbox active, does it have an active profile of the
 * right kind, a valid and approved address, an owner who holds the roles and
 * privileges the channel needs, and credentials. Pure: it takes a snapshot of
 * the facts and returns, per channel, every problem found, each with the
 * catalogue entry to raise, the diagnosis and the fixes Mailroom can apply.
 */
import type { Diagnosis, FixAction, RecordLink } from '../diagnostics/diagnosis.js';
import type { PlaceholderValues } from '../diagnostics/render.js';
import type {
  ActMethod,
  ApprovalStatus,
  IncomingMethod,
  OutgoingMethod,
  OwnerType,
  ServerType,
} from '../db/schema.js';
import { missingPrivileges } from '../security/engine.js';
import type { BusinessUnitTree, Principal } from '../security/model.js';
import { requiredPrivileges, type SyncChannel } from '../security/sync-requirements.js';

export interface MailboxSnapshot {
  readonly id: string;
  readonly name: string;
  readonly emailAddress: string | null;
  readonly state: 'active' | 'inactive';
  readonly regardingType: 'user' | 'queue' | null;
  readonly regardingId: string | null;
  readonly isForwardMailbox: boolean;
  readonly ownerId: string;
  readonly ownerType: OwnerType;
  readonly businessUnitId: string;
  readonly incomingMethod: IncomingMethod;
  readonly outgoingMethod: OutgoingMethod;
  readonly actMethod: ActMethod;
  readonly approvalStatus: ApprovalStatus;
  readonly allowCredentialsUse: boolean;
  readonly username: string | null;
  readonly passwordSet: boolean;
}

export interface ProfileSnapshot {
  readonly id: string;
  readonly name: string;
  readonly state: 'active' | 'inactive';
  readonly serverType: ServerType;
  readonly credentialSource: 'profile' | 'mailbox';
  readonly incomingHost: string | null;
  readonly outgoingHost: string | null;
  readonly actUrl: string | null;
  readonly incomingUsername: string | null;
  readonly incomingPasswordSet: boolean;
  readonly outgoingUsername: string | null;
  readonly outgoingPasswordSet: boolean;
  readonly useSameSettingsForOutgoing: boolean;
  readonly ownerId: string;
  readonly businessUnitId: string;
}

export interface PreconditionFacts {
  readonly organization: {
    readonly requireApprovalForUserEmail: boolean;
    readonly requireApprovalForQueueEmail: boolean;
    readonly autoCreateContacts: boolean;
  };
  readonly mailbox: MailboxSnapshot;
  readonly profile: ProfileSnapshot | null;
  /** the mailbox owner as the privilege engine sees it; undefined when the owner no longer exists */
  readonly owner: Principal | undefined;
  /** for a user mailbox: the user it belongs to */
  readonly regardingUser?: { readonly id: string; readonly name: string; readonly disabled: boolean } | null;
  /** for a queue mailbox: its queue */
  readonly queue?: {
    readonly id: string;
    readonly name: string;
    readonly ownerId: string;
    readonly businessUnitId: string;
  } | null;
  readonly tree: BusinessUnitTree;
  /** ids of predefined roles, to suggest as fixes */
  readonly suggestedRoles: { readonly forUsers?: RecordLink; readonly forQueueTeams?: RecordLink };
  /** the subject of the Test & Enable message, for texts that name it */
  readonly testSubject: string;
}

export interface Problem {
  readonly channel: SyncChannel;
  /** the catalogue entry to raise */
  readonly entryId: string;
  readonly values: PlaceholderValues;
  readonly diagnosis: Diagnosis;
  readonly fixActions: readonly FixAction[];
}

export interface ChannelVerdict {
  readonly channel: SyncChannel;
  /** false when the channel's method is none (or ACT for a queue mailbox): nothing to test */
  readonly applicable: boolean;
  readonly problems: readonly Problem[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Catalogue entries for each kind of problem, by channel. */
const ENTRIES = {
  inactive: { incoming: 'A20-in', outgoing: 'A20', act: 'A20-act' },
  noProfile: { incoming: 'A1', outgoing: 'MR10', act: 'MR11' },
  wrongProfileType: { incoming: 'MR12-in', outgoing: 'MR12-out', act: 'MR12-act' },
  badAddress: { incoming: 'A28-in', outgoing: 'A28-out', act: 'A29-act' },
  notApproved: { incoming: 'A24-in', outgoing: 'A24-out', act: 'A24-act' },
  ownerWithoutRolesUser: { incoming: 'MR13-in', outgoing: 'MR14', act: 'A5' },
  ownerWithoutRolesTeam: { incoming: 'C1', outgoing: 'MR14', act: 'A5' },
  privilegeMissing: { incoming: 'MR13-in', outgoing: 'MR13-out', act: 'A2' },
  ownerNotUser: { incoming: 'MR13-in', outgoing: 'MR13-out', act: 'A2' },
  profileCredentials: { incoming: 'A26-in', outgoing: 'A26-out', act: 'A12-act' },
  mailboxCredentials: { incoming: 'A27-in', outgoing: 'A27-out', act: 'A12-act' },
} as const satisfies Record<string, Record<SyncChannel, string>>;

const PROFILE_TYPE_LABELS: Readonly<Record<ServerType, string>> = {
  'imap-smtp': 'IMAP/SMTP',
  'pop3-smtp': 'POP3/SMTP',
  'caldav-carddav': 'CalDAV/CardDAV',
};

const CHANNEL_WORDS: Readonly<Record<SyncChannel, string>> = {
  incoming: 'receive email',
  outgoing: 'send email',
  act: 'synchronize appointments, contacts, and tasks',
};

export function channelApplies(channel: SyncChannel, mailbox: MailboxSnapshot): boolean {
  if (channel === 'incoming') return mailbox.incomingMethod !== 'none';
  if (channel === 'outgoing') return mailbox.outgoingMethod !== 'none' && !mailbox.isForwardMailbox;
  return mailbox.actMethod !== 'none' && mailbox.regardingType !== 'queue' && !mailbox.isForwardMailbox;
}

/** Whether the profile can serve the channel at all (its type and the address it needs). */
export function profileServes(channel: SyncChannel, profile: ProfileSnapshot): boolean {
  if (channel === 'act') return profile.actUrl !== null;
  if (profile.serverType === 'caldav-carddav') return false;
  return channel === 'incoming' ? profile.incomingHost !== null : profile.outgoingHost !== null;
}

function credentialsPresent(
  channel: SyncChannel,
  facts: PreconditionFacts,
  profile: ProfileSnapshot,
): boolean {
  const { mailbox } = facts;
  if (profile.credentialSource === 'mailbox') {
    return mailbox.allowCredentialsUse && Boolean(mailbox.username) && mailbox.passwordSet;
  }
  if (channel === 'outgoing' && !profile.useSameSettingsForOutgoing) {
    return Boolean(profile.outgoingUsername) && profile.outgoingPasswordSet;
  }
  return Boolean(profile.incomingUsername) && profile.incomingPasswordSet;
}

function approvalRequired(facts: PreconditionFacts): boolean {
  const { mailbox, organization } = facts;
  return mailbox.regardingType === 'queue'
    ? organization.requireApprovalForQueueEmail
    : organization.requireApprovalForUserEmail;
}

/** Runs every check for every channel; no side effects. */
export function checkPreconditions(facts: PreconditionFacts): ChannelVerdict[] {
  return (['incoming', 'outgoing', 'act'] as const).map((channel) => {
    if (!channelApplies(channel, facts.mailbox)) return { channel, applicable: false, problems: [] };
    return { channel, applicable: true, problems: channelProblems(channel, facts) };
  });
}

function channelProblems(channel: SyncChannel, facts: PreconditionFacts): Problem[] {
  const { mailbox, profile } = facts;
  const problems: Problem[] = [];
  const mailboxLink: RecordLink = { type: 'mailbox', id: mailbox.id, name: mailbox.name };
  const baseValues: PlaceholderValues = {
    mailboxName: mailbox.name,
    profileName: profile?.name ?? '(none)',
    emailSubject: facts.testSubject,
  };
  const add = (
    kind: keyof typeof ENTRIES,
    diagnosis: Diagnosis,
    fixActions: readonly FixAction[] = [],
    values: PlaceholderValues = {},
  ) =>
    problems.push({
      channel,
      entryId: ENTRIES[kind][channel],
      values: { ...baseValues, ...values },
      diagnosis,
      fixActions,
    });

  // The mailbox itself, and the user it belongs to.
  const user = facts.regardingUser;
  if (user?.disabled) {
    add(
      'inactive',
      {
        summary: `user ${user.name} is disabled, so the mailbox ${mailbox.name} is not processed`,
        findings: [
          { record: { type: 'user', id: user.id, name: user.name }, problem: 'the user is disabled' },
        ],
        fix: `Enable the user ${user.name}, activate the mailbox, then run Test & Enable.`,
      },
      [{ kind: 'enableUser', label: `Enable user ${user.name}`, userId: user.id }],
    );
  } else if (mailbox.state === 'inactive') {
    add(
      'inactive',
      {
        summary: `mailbox ${mailbox.name} is inactive`,
        findings: [{ record: mailboxLink, problem: 'the mailbox is inactive' }],
        fix: `Activate the mailbox ${mailbox.name}, then run Test & Enable.`,
      },
      [{ kind: 'activateMailbox', label: `Activate mailbox ${mailbox.name}`, mailboxId: mailbox.id }],
    );
  }

  // The email server profile.
  if (!profile) {
    add('noProfile', {
      summary: `mailbox ${mailbox.name} has no email server profile`,
      findings: [{ record: mailboxLink, problem: 'no email server profile is set' }],
      fix: `Choose an email server profile for the mailbox ${mailbox.name}, then run Test & Enable.`,
    });
  } else {
    const profileLink: RecordLink = { type: 'emailServerProfile', id: profile.id, name: profile.name };
    if (profile.state === 'inactive') {
      add(
        'noProfile',
        {
          summary: `email server profile ${profile.name} of mailbox ${mailbox.name} is inactive`,
          findings: [{ record: profileLink, problem: 'the profile is inactive' }],
          fix: `Activate the email server profile ${profile.name} (it is listed under Inactive Email Server Profiles), then run Test & Enable.`,
        },
        [
          {
            kind: 'activateProfile',
            label: `Activate email server profile ${profile.name}`,
            profileId: profile.id,
          },
        ],
      );
    }
    if (!profileServes(channel, profile)) {
      add(
        'wrongProfileType',
        {
          summary:
            channel === 'act'
              ? `email server profile ${profile.name} has no CalDAV/CardDAV server URL`
              : `email server profile ${profile.name} (${PROFILE_TYPE_LABELS[profile.serverType]}) has no server to ${CHANNEL_WORDS[channel]}`,
          findings: [{ record: profileLink, problem: `it cannot ${CHANNEL_WORDS[channel]}` }],
          fix:
            channel === 'act'
              ? `Set the CalDAV/CardDAV server URL on the profile ${profile.name}, or choose a profile that has one.`
              : `Set the ${channel} server on the profile ${profile.name}, or choose an IMAP/SMTP or POP3/SMTP profile.`,
        },
        [],
        { profileType: PROFILE_TYPE_LABELS[profile.serverType] },
      );
    }
  }

  // The address, and its approval.
  if (!mailbox.emailAddress || !EMAIL.test(mailbox.emailAddress)) {
    add('badAddress', {
      summary: `mailbox ${mailbox.name} has ${mailbox.emailAddress ? `an invalid email address (${mailbox.emailAddress})` : 'no email address'}`,
      findings: [{ record: mailboxLink, problem: 'the email address is missing or invalid' }],
      fix: `Enter a valid email address on the ${mailbox.regardingType ?? 'mailbox'} record, then run Test & Enable.`,
    });
  } else if (approvalRequired(facts) && mailbox.approvalStatus !== 'approved') {
    add(
      'notApproved',
      {
        summary: `the email address ${mailbox.emailAddress} of mailbox ${mailbox.name} is not approved (${mailbox.approvalStatus})`,
        findings: [{ record: mailboxLink, problem: `the address is ${mailbox.approvalStatus}` }],
        fix: 'An administrator with the privilege to approve email addresses approves it; then run Test & Enable.',
      },
      [{ kind: 'approveEmailAddress', label: `Approve ${mailbox.emailAddress}`, mailboxId: mailbox.id }],
    );
  }

  problems.push(...ownerProblems(channel, facts, baseValues));

  if (profile && profileServes(channel, profile) && !credentialsPresent(channel, facts, profile)) {
    const fromProfile = profile.credentialSource === 'profile';
    add(fromProfile ? 'profileCredentials' : 'mailboxCredentials', {
      summary: fromProfile
        ? `email server profile ${profile.name} has no user name or password for ${channel === 'outgoing' ? 'sending' : 'receiving'}`
        : `mailbox ${mailbox.name} has no credentials, or does not allow their use for email processing`,
      findings: [
        fromProfile
          ? {
              record: { type: 'emailServerProfile', id: profile.id, name: profile.name },
              problem: 'credentials are missing',
            }
          : { record: mailboxLink, problem: 'user name, password or "allow credentials use" is missing' },
      ],
      fix: fromProfile
        ? `Enter the user name and password on the profile ${profile.name}, then run Test & Enable.`
        : `Enter the user name and password on the mailbox ${mailbox.name} and allow their use, then run Test & Enable.`,
    });
  }
  return problems;
}

function ownerProblems(
  channel: SyncChannel,
  facts: PreconditionFacts,
  baseValues: PlaceholderValues,
): Problem[] {
  const { mailbox, owner, profile, queue } = facts;
  const mailboxLink: RecordLink = { type: 'mailbox', id: mailbox.id, name: mailbox.name };
  const problem = (
    kind: keyof typeof ENTRIES,
    diagnosis: Diagnosis,
    fixActions: readonly FixAction[],
    values: PlaceholderValues,
  ): Problem => ({
    channel,
    entryId: ENTRIES[kind][channel],
    values: { ...baseValues, ...values },
    diagnosis,
    fixActions,
  });

  if (!owner) {
    return [
      problem(
        'ownerNotUser',
        {
          summary: `the owner of mailbox ${mailbox.name} no longer exists`,
          findings: [{ record: mailboxLink, problem: 'its owner is missing' }],
          fix: 'Assign the mailbox (or its queue) to an existing user or team.',
        },
        [],
        { principalName: '(missing owner)', privilegeName: 'prvReadMailbox' },
      ),
    ];
  }
  const ownerLink: RecordLink = { type: owner.kind, id: owner.id, name: owner.name };
  const ownerWords = `${owner.kind} ${owner.name}`;

  // A user's mailbox is run as that user; another owner is a misconfiguration.
  if (mailbox.regardingType === 'user' && facts.regardingUser && owner.id !== facts.regardingUser.id) {
    const user = facts.regardingUser;
    return [
      problem(
        'ownerNotUser',
        {
          summary: `mailbox ${mailbox.name} belongs to user ${user.name} but is owned by ${ownerWords}`,
          findings: [{ record: mailboxLink, problem: `its owner is ${ownerWords}, not ${user.name}` }],
          fix: `Set the owner of the mailbox ${mailbox.name} to ${user.name}, then run Test & Enable.`,
        },
        [
          {
            kind: 'setMailboxOwnerToUser',
            label: `Make ${user.name} the owner of mailbox ${mailbox.name}`,
            mailboxId: mailbox.id,
            userId: user.id,
          },
        ],
        { principalName: owner.name, privilegeName: 'prvReadMailbox' },
      ),
    ];
  }

  const required = requiredPrivileges(channel, {
    owner: { kind: owner.kind, id: owner.id, businessUnitId: owner.businessUnitId },
    queue: queue ? { id: queue.id, ownerId: queue.ownerId, businessUnitId: queue.businessUnitId } : null,
    emailServerProfile: profile ? { ownerId: profile.ownerId, businessUnitId: profile.businessUnitId } : null,
    autoCreateContacts: facts.organization.autoCreateContacts,
  });
  const missing = missingPrivileges(owner, required, facts.tree);
  if (missing.length === 0) return [];

  const suggested =
    owner.kind === 'team' ? facts.suggestedRoles.forQueueTeams : facts.suggestedRoles.forUsers;
  const fixActions: FixAction[] = suggested
    ? [
        {
          kind: 'assignRole',
          label: `Assign the role ${suggested.name} to ${ownerWords}`,
          holder: owner.kind === 'team' ? 'teams' : 'users',
          holderId: owner.id,
          roleId: suggested.id,
        },
      ]
    : [];
  const first = missing[0]!;
  const names = [...new Set(missing.map((entry) => entry.denial.privilegeName))];
  const queueWords = queue
    ? `queue ${queue.name} is owned by ${ownerWords}`
    : `mailbox ${mailbox.name} is owned by ${ownerWords}`;
  const disabled = first.denial.reason === 'principalDisabled';
  if (first.denial.reason === 'noRoles' || disabled) {
    return [
      problem(
        owner.kind === 'team' ? 'ownerWithoutRolesTeam' : 'ownerWithoutRolesUser',
        {
          summary: disabled
            ? `${queueWords}, which is disabled`
            : `${queueWords}, which has no security roles`,
          findings: [{ record: ownerLink, problem: disabled ? 'disabled' : 'has no security roles' }],
          fix: disabled
            ? `Enable ${ownerWords}.`
            : `Assign ${ownerWords} a security role that grants ${names.join(', ')}${suggested ? ` (for example ${suggested.name})` : ''}, then run Test & Enable.`,
        },
        disabled ? [] : fixActions,
        { principalName: owner.name, privilegeName: first.denial.privilegeName },
      ),
    ];
  }
  return [
    problem(
      'privilegeMissing',
      {
        summary: `${queueWords}, whose roles lack ${names.join(', ')}`,
        findings: missing.map((entry) => ({
          record: ownerLink,
          problem: `lacks ${entry.denial.privilegeName} (${entry.denial.reason === 'depthInsufficient' ? 'granted, but not at a depth that reaches the record' : 'not granted'}): ${entry.why}`,
        })),
        fix: `Give ${ownerWords} a role that grants ${names.join(', ')}${suggested ? ` (for example ${suggested.name})` : ''}, then run Test & Enable.`,
      },
      fixActions,
      { principalName: owner.name, privilegeName: first.denial.privilegeName },
    ),
  ];
}

/**
 * The database as Kysely sees it (camelCase here, snake_case in SQL through
 * Kysely's CamelCasePlugin). The migration in `migrations/` is the source of
 * truth for constraints; these types must follow it.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamps = {
  createdAt: Generated<Date>;
  updatedAt: Generated<Date>;
};
type Defaulted<T> = ColumnType<T, T | undefined, T>;
/** jsonb: read as a value, written as JSON text */
type Json<T> = ColumnType<T, string | undefined, string>;

export type OwnerType = 'user' | 'team';
export type ActiveState = 'active' | 'inactive';
export type TlsMode = 'none' | 'starttls' | 'implicit';
export type ServerType = 'imap-smtp' | 'pop3-smtp' | 'caldav-carddav';
export type ChannelStatus = 'notRun' | 'success' | 'failure';
export type ApprovalStatus = 'empty' | 'approved' | 'pendingApproval' | 'rejected';
export type IncomingMethod = 'none' | 'serverSideSync' | 'forwardMailbox';
export type OutgoingMethod = 'none' | 'serverSideSync';
export type ActMethod = 'none' | 'serverSideSync';
export type AlertLevel = 'error' | 'warning' | 'information';
export type AlertChannel = 'incoming' | 'outgoing' | 'act' | 'profile' | 'approval' | 'item';
export type IncomingEmailFilter =
  'all' | 'responsesToTrackedEmail' | 'fromLeadsContactsAccounts' | 'fromEmailEnabledRecords' | 'none';
export type ActivityType = 'email' | 'appointment' | 'task';
export type ActivityState = 'open' | 'completed' | 'canceled' | 'scheduled';
export type RegardingType = 'account' | 'contact' | 'lead' | 'queue' | 'user';
export type PartyType = 'user' | 'contact' | 'account' | 'lead' | 'queue';
export type Participation =
  'from' | 'to' | 'cc' | 'bcc' | 'organizer' | 'requiredAttendee' | 'optionalAttendee' | 'owner';
export type CorrelationMethod =
  'none' | 'skipped' | 'inReplyTo' | 'trackingToken' | 'conversationIndex' | 'smartMatching';

type Owned = {
  ownerId: string;
  ownerType: OwnerType;
  businessUnitId: string;
};

export interface BusinessUnitTable extends Timestamps {
  id: string;
  name: string;
  parentId: string | null;
  disabled: Defaulted<boolean>;
}

export interface OrganizationTable extends Timestamps {
  id: string;
  name: string;
  productName: Defaulted<string>;
  requireApprovalForUserEmail: Defaulted<boolean>;
  requireApprovalForQueueEmail: Defaulted<boolean>;
  emailCorrelationEnabled: Defaulted<boolean>;
  trackingTokenPrefix: Defaulted<string>;
  trackingTokenDigits: Defaulted<number>;
  trackingTokenEnabled: Defaulted<boolean>;
  smartMatchingEnabled: Defaulted<boolean>;
  autoCreateContacts: Defaulted<boolean>;
  ignoreInternalEmail: Defaulted<boolean>;
  trackInternalEmailAsTwoActivities: Defaulted<boolean>;
  generateAlertsForErrors: Defaulted<boolean>;
  generateAlertsForWarnings: Defaulted<boolean>;
  generateAlertsForInformation: Defaulted<boolean>;
  notifyMailboxOwnerOfProfileAlerts: Defaulted<boolean>;
  maxIncomingMessageSizeKb: Defaulted<number>;
  maxAttachmentSizeKb: Defaulted<number>;
  transientFailureLimit: Defaulted<number>;
  defaultEmailServerProfileId: string | null;
  /** save a copy of sent email in the mailbox's Sent folder over IMAP (migration 0005) */
  saveOutgoingEmailToSentFolder: Defaulted<boolean>;
}

export interface UserTable extends Timestamps {
  id: string;
  name: string;
  username: string;
  emailAddress: string | null;
  businessUnitId: string;
  disabled: Defaulted<boolean>;
  allowSendAs: Defaulted<boolean>;
  /** what incoming email is tracked for the user (migration 0006) */
  incomingEmailFilter: Defaulted<IncomingEmailFilter>;
}

export interface TeamTable extends Timestamps {
  id: string;
  name: string;
  teamType: Defaulted<'owner' | 'access'>;
  businessUnitId: string;
  administratorId: string | null;
  emailAddress: string | null;
}

export interface TeamMemberTable {
  teamId: string;
  userId: string;
}

export interface RoleTable extends Timestamps {
  id: string;
  name: string;
  description: Defaulted<string>;
  businessUnitId: string;
  memberInheritance: Defaulted<'team' | 'directUser'>;
  predefinedKey: string | null;
}

export interface RolePrivilegeTable {
  roleId: string;
  privilegeKey: string;
  depth: 'user' | 'businessUnit' | 'parentChild' | 'organization';
}

export interface UserRoleTable {
  userId: string;
  roleId: string;
}

export interface TeamRoleTable {
  teamId: string;
  roleId: string;
}

export interface ApiTokenTable {
  id: string;
  userId: string;
  name: string;
  tokenHash: string;
  tokenPrefix: string;
  createdAt: Generated<Date>;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** A user's console password (migration 0004): kept apart from `users` so no users query can return it. */
export interface UserPasswordTable {
  userId: string;
  passwordHash: string;
  changedAt: Generated<Date>;
}

/** A signed-in console session (migration 0004); the cookie holds the secret, this row its digest. */
export interface ConsoleSessionTable {
  id: string;
  userId: string;
  tokenHash: string;
  method: 'password' | 'token';
  apiTokenId: string | null;
  createdAt: Generated<Date>;
  lastSeenAt: Generated<Date>;
  expiresAt: Date;
  revokedAt: Date | null;
}

export interface EmailServerProfileTable extends Timestamps, Owned {
  id: string;
  name: string;
  serverType: ServerType;
  incomingHost: string | null;
  incomingPort: number | null;
  incomingTls: Defaulted<TlsMode>;
  outgoingHost: string | null;
  outgoingPort: number | null;
  outgoingTls: Defaulted<TlsMode>;
  actUrl: string | null;
  credentialSource: Defaulted<'profile' | 'mailbox'>;
  incomingUsername: string | null;
  incomingPasswordEncrypted: string | null;
  outgoingUsername: string | null;
  outgoingPasswordEncrypted: string | null;
  useSameSettingsForOutgoing: Defaulted<boolean>;
  tlsVerifyCertificates: Defaulted<boolean>;
  processEmailReceivedAfter: Date | null;
  minPollingIntervalMinutes: Defaulted<number>;
  maxConcurrentConnections: Defaulted<number>;
  connectionTimeoutMs: Defaulted<number>;
  moveFailedItemsFolder: string | null;
  state: Defaulted<ActiveState>;
  lastTestStartedAt: Date | null;
  lastTestStatus: 'success' | 'failure' | 'warning' | null;
  lastTestMessage: string | null;
  /** sending rate limit shared by every mailbox of the profile, 0 = none (migration 0005) */
  maxMessagesPerMinute: Defaulted<number>;
  sendWindowStartedAt: Date | null;
  sendWindowCount: Defaulted<number>;
  /** keep an IMAP IDLE connection on each mailbox's Inbox (migration 0010) */
  useIdle: Defaulted<boolean>;
}

export interface QueueTable extends Timestamps, Owned {
  id: string;
  name: string;
  description: Defaulted<string>;
  emailAddress: string | null;
  queueViewType: Defaulted<'public' | 'private'>;
  incomingEmailFilter: Defaulted<IncomingEmailFilter>;
}

export interface MailboxTable extends Timestamps, Owned {
  id: string;
  name: string;
  emailAddress: string | null;
  regardingType: 'user' | 'queue' | null;
  regardingId: string | null;
  isForwardMailbox: Defaulted<boolean>;
  emailServerProfileId: string | null;
  incomingMethod: Defaulted<IncomingMethod>;
  outgoingMethod: Defaulted<OutgoingMethod>;
  actMethod: Defaulted<ActMethod>;
  incomingEnabled: Defaulted<boolean>;
  outgoingEnabled: Defaulted<boolean>;
  actEnabled: Defaulted<boolean>;
  incomingStatus: Defaulted<ChannelStatus>;
  outgoingStatus: Defaulted<ChannelStatus>;
  actStatus: Defaulted<ChannelStatus>;
  approvalStatus: Defaulted<ApprovalStatus>;
  approvedBy: string | null;
  approvedAt: Date | null;
  state: Defaulted<ActiveState>;
  deleteEmailsAfterProcessing: Defaulted<boolean>;
  processEmailReceivedAfter: Date | null;
  allowCredentialsUse: Defaulted<boolean>;
  username: string | null;
  passwordEncrypted: string | null;
  testScheduled: Defaulted<boolean>;
  testCompletedAt: Date | null;
  lastSyncStartedAt: Date | null;
  lastSuccessfulSyncAt: Date | null;
  lastSyncErrorCode: string | null;
  lastSyncErrorCount: Defaulted<number>;
  testRequestedAt: Date | null;
  testRequestedBy: string | null;
  testStartedAt: Date | null;
  testAttempts: Defaulted<number>;
  // Scheduling and leases, one set per channel (migration 0003).
  incomingDueAt: Date | null;
  incomingLeaseOwner: string | null;
  incomingLeaseExpiresAt: Date | null;
  incomingLeaseToken: Defaulted<number>;
  incomingFailureCount: Defaulted<number>;
  incomingQuietCycles: Defaulted<number>;
  incomingLastCycle: Json<ChannelCycleStats | null>;
  outgoingDueAt: Date | null;
  outgoingLeaseOwner: string | null;
  outgoingLeaseExpiresAt: Date | null;
  outgoingLeaseToken: Defaulted<number>;
  outgoingFailureCount: Defaulted<number>;
  outgoingQuietCycles: Defaulted<number>;
  outgoingLastCycle: Json<ChannelCycleStats | null>;
  actDueAt: Date | null;
  actLeaseOwner: string | null;
  actLeaseExpiresAt: Date | null;
  actLeaseToken: Defaulted<number>;
  actFailureCount: Defaulted<number>;
  actQuietCycles: Defaulted<number>;
  actLastCycle: Json<ChannelCycleStats | null>;
  // Wake-up requests per channel and the count the last claim saw (migration 0010).
  incomingWakeRequested: Defaulted<number>;
  incomingWakeClaimed: Defaulted<number>;
  outgoingWakeRequested: Defaulted<number>;
  outgoingWakeClaimed: Defaulted<number>;
  actWakeRequested: Defaulted<number>;
  actWakeClaimed: Defaulted<number>;
  /** IMAP IDLE for this mailbox; null follows the profile (migration 0010) */
  useIdle: boolean | null;
  /** IMAP folders incoming sync reads (migration 0009); INBOX by default */
  incomingFolders: Defaulted<string[]>;
}

/** Which worker holds a mailbox's IMAP IDLE connection, until when (migration 0010). */
export interface MailboxIdleWatchTable {
  mailboxId: string;
  owner: string;
  expiresAt: Date;
  token: Defaulted<number>;
  createdAt: Generated<Date>;
}

/** What the last cycle of a channel did (mailboxes.*_last_cycle). */
export interface ChannelCycleStats {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly outcome: 'success' | 'failure';
  /** the alert code of a failed cycle */
  readonly code?: string;
  /** messages looked at (new ones and retried ones) */
  readonly seen: number;
  /** activities created */
  readonly created: number;
  /** messages associated with an activity that already existed (same Message-ID) */
  readonly associated: number;
  /** item-level failures that will be retried */
  readonly failed: number;
  /** item-level failures given up on */
  readonly parked: number;
  /** messages older than the process-email-from date */
  readonly skipped: number;
  /** messages not tracked by decision: no recipient tracks them, or internal email (D1, D2, D4) */
  readonly notTracked?: number;
}

export interface MailboxFolderCursorTable {
  mailboxId: string;
  folder: string;
  uidValidity: number;
  lastUid: Defaulted<number>;
  /** numeric(20): may exceed 2^53, so kept as a string */
  highestModseq: string | null;
  createdAt: Generated<Date>;
  updatedAt: Generated<Date>;
}

export type LedgerStatus = 'processed' | 'failed' | 'parked' | 'skipped';

export interface MessageLedgerTable {
  id: string;
  mailboxId: string;
  messageKey: string;
  folder: string;
  uidValidity: number;
  uid: number;
  messageId: string | null;
  dedupeKey: string | null;
  activityId: string | null;
  createdActivity: Defaulted<boolean>;
  status: LedgerStatus;
  attempts: Defaulted<number>;
  lastErrorCode: string | null;
  lastErrorReason: string | null;
  subject: string | null;
  sizeBytes: number | null;
  receivedAt: Date | null;
  firstSeenAt: Generated<Date>;
  lastAttemptAt: Generated<Date>;
  processedAt: Date | null;
  createdAt: Generated<Date>;
  updatedAt: Generated<Date>;
  /** the message left the folder: deleted after processing, or moved (migration 0009) */
  removedFromServerAt: Date | null;
  /** the failed-items folder the message was moved to */
  movedToFolder: string | null;
  /** the last failed attempt at deleting or moving it on the server; tried again next cycle */
  serverActionError: string | null;
}

/** POP3 UIDL → the numeric UID the incoming pipeline uses for it (migration 0009). */
export interface Pop3MessageNumberTable {
  mailboxId: string;
  uidl: string;
  uid: number;
  receivedAt: Date | null;
  firstSeenAt: Generated<Date>;
}

export interface AlertTable extends Timestamps, Owned {
  id: string;
  level: AlertLevel;
  code: string;
  channel: AlertChannel | null;
  message: string;
  details: Json<Record<string, unknown>>;
  diagnosis: Json<Record<string, unknown> | null>;
  fixActions: Json<unknown[]>;
  mailboxId: string | null;
  emailServerProfileId: string | null;
  itemReference: string | null;
  fingerprint: string;
  entryId: string | null;
  failureClass: 'transient' | 'permanent' | 'none' | null;
  serverErrorCode: string | null;
  profileOwnerId: string | null;
  profileOwnerType: OwnerType | null;
  profileBusinessUnitId: string | null;
  occurrenceCount: Defaulted<number>;
  firstSeenAt: Generated<Date>;
  lastSeenAt: Generated<Date>;
  resolvedAt: Date | null;
}

type EmailAddresses = {
  emailAddress1: string | null;
  emailAddress2: string | null;
  emailAddress3: string | null;
};

export interface AccountTable extends Timestamps, Owned, EmailAddresses {
  id: string;
  name: string;
  telephone: string | null;
  website: string | null;
  state: Defaulted<ActiveState>;
}

export interface ContactTable extends Timestamps, Owned, EmailAddresses {
  id: string;
  firstName: string | null;
  lastName: string;
  fullName: string;
  telephone: string | null;
  mobilePhone: string | null;
  jobTitle: string | null;
  parentAccountId: string | null;
  state: Defaulted<ActiveState>;
  // Company and postal address, as vCard carries them (migration 0007).
  companyName: Defaulted<string | null>;
  address1Line1: Defaulted<string | null>;
  address1City: Defaulted<string | null>;
  address1StateOrProvince: Defaulted<string | null>;
  address1PostalCode: Defaulted<string | null>;
  address1Country: Defaulted<string | null>;
}

export interface LeadTable extends Timestamps, Owned, EmailAddresses {
  id: string;
  firstName: string | null;
  lastName: string;
  fullName: string;
  companyName: string | null;
  telephone: string | null;
  state: Defaulted<'open' | 'qualified' | 'disqualified'>;
}

export interface ActivityTable extends Timestamps, Owned {
  id: string;
  activityType: ActivityType;
  subject: Defaulted<string>;
  description: string | null;
  state: Defaulted<ActivityState>;
  status: string;
  regardingType: RegardingType | null;
  regardingId: string | null;
  scheduledStart: Date | null;
  scheduledEnd: Date | null;
  actualEnd: Date | null;
  priority: 'low' | 'normal' | 'high' | null;
  direction: 'incoming' | 'outgoing' | null;
  messageId: string | null;
  inReplyTo: string | null;
  messageReferences: Defaulted<string[]>;
  conversationIndex: string | null;
  trackingToken: string | null;
  bodyText: string | null;
  bodyHtml: string | null;
  sender: string | null;
  senderMailboxId: string | null;
  receivingMailboxId: string | null;
  correlationMethod: CorrelationMethod | null;
  correlatedActivityId: string | null;
  parentActivityId: string | null;
  sentAt: Date | null;
  receivedAt: Date | null;
  location: string | null;
  isAllDay: Defaulted<boolean>;
  recurrenceRule: string | null;
  icalUid: string | null;
  percentComplete: number | null;
  /** incoming email only: Message-ID (or content fingerprint), unique (migration 0003) */
  dedupeKey: string | null;
  // Outgoing email (migration 0005).
  sendRequestedAt: Date | null;
  sendRequestedBy: string | null;
  sendAttempts: Defaulted<number>;
  /** set when a send starts (status sending), before the message goes to the server */
  sendStartedAt: Date | null;
  /** times a send was found interrupted (status still sending) and tried again */
  sendInterruptedCount: Defaulted<number>;
  /** when the final dot of the current send was released to the server (migration 0013) */
  sendHandedOverAt: Date | null;
  /** Sent without the server's reply: the worker stopped or the connection dropped after the dot */
  sendUnconfirmed: Defaulted<boolean>;
  sendFailureCode: string | null;
  sendFailureReason: string | null;
  sentCopySaved: boolean | null;
  // Appointments from calendars (migration 0007).
  /** the IANA time zone the calendar item was scheduled in */
  timeZone: Defaulted<string | null>;
  /** recurrence exceptions (EXDATE) as UTC ISO instants */
  recurrenceExdates: Defaulted<string[]>;
  /** overridden occurrences of a series (migration 0012; see src/sync/act/records.ts) */
  recurrenceExceptions: Json<StoredRecurrenceException[]>;
}

/** One overridden occurrence of a recurring appointment, as stored (migration 0012). */
export interface StoredRecurrenceException {
  /** the original start of the occurrence, UTC ISO */
  readonly recurrenceId: string;
  readonly scheduledStart: string | null;
  readonly scheduledEnd: string | null;
  readonly subject: string | null;
  readonly location: string | null;
  readonly description: string | null;
  readonly status: string | null;
}

export interface ActivityPartyTable {
  id: string;
  activityId: string;
  participation: Participation;
  address: string | null;
  displayName: string | null;
  partyType: PartyType | null;
  partyId: string | null;
  position: Defaulted<number>;
}

export interface AttachmentTable {
  id: string;
  activityId: string;
  fileName: string;
  mimeType: Defaulted<string>;
  sizeBytes: number;
  contentId: string | null;
  isInline: Defaulted<boolean>;
  content: Uint8Array | null;
  /** 'base64': `content` is still in this transfer encoding (incoming mail, decoded on read); null: decoded */
  contentTransferEncoding: Defaulted<'base64' | null>;
  createdAt: Generated<Date>;
}

export interface QueueItemTable extends Timestamps, Owned {
  id: string;
  queueId: string;
  activityId: string;
  workerId: string | null;
  enteredAt: Generated<Date>;
  state: Defaulted<ActiveState>;
}

/** A calendar or address book an ACT mailbox synchronizes (migration 0007). */
export interface ActCollectionTable {
  mailboxId: string;
  url: string;
  kind: 'calendar' | 'addressBook';
  isPrimary: Defaulted<boolean>;
  syncToken: string | null;
  /** which new Mailroom items the collection takes (migration 0012) */
  primaryFor: Defaulted<ActRecordType[]>;
  createdAt: Generated<Date>;
  updatedAt: Generated<Date>;
}

export type ActRecordType = 'appointment' | 'task' | 'contact';
/** waiting: held for a decision alert's answer; declined: answered No (migration 0012) */
export type ActLinkStatus = 'synced' | 'failed' | 'waiting' | 'declined';

/** One calendar or address book item linked to a record (migration 0007). */
export interface ActItemLinkTable {
  id: string;
  mailboxId: string;
  collectionUrl: string;
  href: string;
  etag: string | null;
  uid: string | null;
  recordType: ActRecordType | null;
  recordId: string | null;
  recordHash: string | null;
  status: Defaulted<ActLinkStatus>;
  lastErrorCode: string | null;
  lastErrorReason: string | null;
  subject: string | null;
  conflict: Json<Record<string, unknown> | null>;
  /** a decision alert about this item (migration 0012): which, for which ETag, and the answer */
  decisionEntry: 'E1' | 'E2' | null;
  decisionEtag: string | null;
  decision: 'yes' | 'no' | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  syncedAt: Date | null;
  createdAt: Generated<Date>;
  updatedAt: Generated<Date>;
}

export interface Database {
  businessUnits: BusinessUnitTable;
  organization: OrganizationTable;
  users: UserTable;
  teams: TeamTable;
  teamMembers: TeamMemberTable;
  roles: RoleTable;
  rolePrivileges: RolePrivilegeTable;
  userRoles: UserRoleTable;
  teamRoles: TeamRoleTable;
  apiTokens: ApiTokenTable;
  userPasswords: UserPasswordTable;
  consoleSessions: ConsoleSessionTable;
  emailServerProfiles: EmailServerProfileTable;
  queues: QueueTable;
  mailboxes: MailboxTable;
  alerts: AlertTable;
  accounts: AccountTable;
  contacts: ContactTable;
  leads: LeadTable;
  activities: ActivityTable;
  activityParties: ActivityPartyTable;
  attachments: AttachmentTable;
  queueItems: QueueItemTable;
  mailboxFolderCursors: MailboxFolderCursorTable;
  messageLedger: MessageLedgerTable;
  webhookSubscriptions: WebhookSubscriptionTable;
  webhookEvents: WebhookEventTable;
  webhookDeliveries: WebhookDeliveryTable;
  pop3MessageNumbers: Pop3MessageNumberTable;
  actCollections: ActCollectionTable;
  actItemLinks: ActItemLinkTable;
  mailboxIdleWatches: MailboxIdleWatchTable;
}

export type WebhookEventType = 'email.received' | 'item.failed';
export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed' | 'canceled';

/** An application's subscription to sync events (migration 0011). */
export interface WebhookSubscriptionTable extends Timestamps {
  id: string;
  name: string;
  url: string;
  events: WebhookEventType[];
  /** null: every mailbox */
  mailboxIds: string[] | null;
  /** the signing secret, sealed with the SecretBox; never shown after creation */
  secretSealed: string;
  enabled: Defaulted<boolean>;
  createdById: string | null;
}

/** The outbox: one row per event, written by the message ledger's trigger. */
export interface WebhookEventTable {
  id: string;
  type: WebhookEventType;
  mailboxId: string | null;
  data: Json<Record<string, unknown>>;
  createdAt: Generated<Date>;
}

export interface WebhookDeliveryTable extends Timestamps {
  id: string;
  eventId: string;
  subscriptionId: string;
  status: Defaulted<WebhookDeliveryStatus>;
  attempts: Defaulted<number>;
  nextAttemptAt: Defaulted<Date>;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
}

export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;
export type RowUpdate<T extends keyof Database> = Updateable<Database[T]>;

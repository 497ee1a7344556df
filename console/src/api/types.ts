/**
 * The records the console shows, as the REST API returns them (see
 * /api/openapi.json). Only the fields the console uses are named.
 */

export type Id = string;
export type IsoTime = string;
export type OwnerType = 'user' | 'team';
export type ActiveState = 'active' | 'inactive';
export type ChannelStatus = 'notRun' | 'success' | 'failure';
export type ApprovalStatus = 'empty' | 'approved' | 'pendingApproval' | 'rejected';
export type TlsMode = 'none' | 'starttls' | 'implicit';
export type ServerType = 'imap-smtp' | 'pop3-smtp' | 'caldav-carddav';
export type AlertLevel = 'error' | 'warning' | 'information';
export type Channel = 'incoming' | 'outgoing' | 'act';
export type IncomingEmailFilter =
  'all' | 'responsesToTrackedEmail' | 'fromLeadsContactsAccounts' | 'fromEmailEnabledRecords' | 'none';

export interface Owned {
  readonly ownerId: Id;
  readonly ownerType: OwnerType;
  readonly businessUnitId: Id;
}

export interface Session {
  readonly user: { readonly id: Id; readonly name: string; readonly username: string };
  readonly csrfToken: string;
  readonly expiresAt: IsoTime;
}

export interface Me {
  readonly id: Id;
  readonly name: string;
  readonly businessUnitId: Id;
  readonly teamIds: Id[];
  readonly roleIds: Id[];
  /** privilege key → widest depth held */
  readonly privileges: Record<string, string>;
}

export interface CycleStats {
  readonly startedAt: IsoTime;
  readonly finishedAt: IsoTime;
  readonly durationMs: number;
  readonly outcome: 'success' | 'failure';
  readonly code?: string;
  readonly seen: number;
  readonly created: number;
  readonly associated: number;
  readonly failed: number;
  readonly parked: number;
  readonly skipped: number;
}

export interface Mailbox extends Owned {
  readonly id: Id;
  readonly name: string;
  readonly emailAddress: string | null;
  readonly regardingType: 'user' | 'queue' | null;
  readonly regardingId: Id | null;
  readonly isForwardMailbox: boolean;
  readonly emailServerProfileId: Id | null;
  readonly incomingMethod: 'none' | 'serverSideSync' | 'forwardMailbox';
  readonly outgoingMethod: 'none' | 'serverSideSync';
  readonly actMethod: 'none' | 'serverSideSync';
  readonly incomingEnabled: boolean;
  readonly outgoingEnabled: boolean;
  readonly actEnabled: boolean;
  readonly incomingStatus: ChannelStatus;
  readonly outgoingStatus: ChannelStatus;
  readonly actStatus: ChannelStatus;
  readonly approvalStatus: ApprovalStatus;
  readonly approvedBy: Id | null;
  readonly approvedAt: IsoTime | null;
  readonly state: ActiveState;
  readonly deleteEmailsAfterProcessing: boolean;
  readonly processEmailReceivedAfter: IsoTime | null;
  readonly allowCredentialsUse: boolean;
  readonly username: string | null;
  readonly passwordSet: boolean;
  readonly lastSyncStartedAt: IsoTime | null;
  readonly lastSuccessfulSyncAt: IsoTime | null;
  readonly lastSyncErrorCode: string | null;
  readonly testScheduled: boolean;
  readonly testCompletedAt: IsoTime | null;
  readonly incomingDueAt: IsoTime | null;
  readonly incomingLastCycle: CycleStats | null;
}

export interface EmailServerProfile extends Owned {
  readonly id: Id;
  readonly name: string;
  readonly serverType: ServerType;
  readonly incomingHost: string | null;
  readonly incomingPort: number | null;
  readonly incomingTls: TlsMode;
  readonly outgoingHost: string | null;
  readonly outgoingPort: number | null;
  readonly outgoingTls: TlsMode;
  readonly actUrl: string | null;
  readonly credentialSource: 'profile' | 'mailbox';
  readonly incomingUsername: string | null;
  readonly incomingPasswordSet: boolean;
  readonly outgoingUsername: string | null;
  readonly outgoingPasswordSet: boolean;
  readonly useSameSettingsForOutgoing: boolean;
  readonly tlsVerifyCertificates: boolean;
  readonly processEmailReceivedAfter: IsoTime | null;
  readonly minPollingIntervalMinutes: number;
  readonly maxConcurrentConnections: number;
  readonly connectionTimeoutMs: number;
  readonly moveFailedItemsFolder: string | null;
  readonly state: ActiveState;
  readonly lastTestStartedAt: IsoTime | null;
  readonly lastTestStatus: 'success' | 'failure' | 'warning' | null;
  readonly lastTestMessage: string | null;
}

export interface User {
  readonly id: Id;
  readonly name: string;
  readonly username: string;
  readonly emailAddress: string | null;
  readonly businessUnitId: Id;
  readonly disabled: boolean;
  readonly allowSendAs: boolean;
  readonly roleIds: Id[];
  readonly teamIds: Id[];
  readonly mailboxId: Id | null;
  readonly createdAt: IsoTime;
}

export interface Team {
  readonly id: Id;
  readonly name: string;
  readonly teamType: 'owner' | 'access';
  readonly businessUnitId: Id;
  readonly administratorId: Id | null;
  readonly emailAddress: string | null;
  readonly memberIds: Id[];
  readonly roleIds: Id[];
}

export type Depth = 'none' | 'user' | 'businessUnit' | 'parentChild' | 'organization';

export interface Role {
  readonly id: Id;
  readonly name: string;
  readonly description: string;
  readonly businessUnitId: Id;
  readonly predefinedKey: string | null;
  /** privilege key ("mailbox:read", "special:sendAsUser") → depth */
  readonly privileges: Record<string, Exclude<Depth, 'none'>>;
  readonly updatedAt: IsoTime;
}

export interface BusinessUnit {
  readonly id: Id;
  readonly name: string;
  readonly parentId: Id | null;
}

export interface Queue extends Owned {
  readonly id: Id;
  readonly name: string;
  readonly description: string;
  readonly emailAddress: string | null;
  readonly queueViewType: 'public' | 'private';
  readonly incomingEmailFilter: IncomingEmailFilter;
  readonly mailboxId: Id | null;
}

export interface RecordLink {
  readonly type: string;
  readonly id: Id;
  readonly name: string;
}

export interface Diagnosis {
  readonly summary: string;
  readonly findings?: { readonly record: RecordLink; readonly problem: string }[];
  readonly fix: string;
}

export interface FixAction {
  readonly kind: string;
  readonly label: string;
}

export interface Alert extends Owned {
  readonly id: Id;
  readonly level: AlertLevel;
  readonly code: string;
  /** the catalogue entry (docs/errors.md); E1 and E2 ask a question */
  readonly entryId: string | null;
  readonly channel: Channel | 'profile' | 'approval' | 'item' | null;
  readonly message: string;
  /** facts recorded with the alert; an answered question adds `decision` ('yes' or 'no') */
  readonly details: Record<string, unknown>;
  readonly serverErrorCode: string | null;
  readonly failureClass: 'transient' | 'permanent' | 'none' | null;
  readonly diagnosis: Diagnosis | null;
  readonly fixActions: FixAction[];
  readonly mailboxId: Id | null;
  readonly emailServerProfileId: Id | null;
  readonly itemReference: string | null;
  readonly occurrenceCount: number;
  readonly firstSeenAt: IsoTime;
  readonly lastSeenAt: IsoTime;
  readonly resolvedAt: IsoTime | null;
}

export interface Party {
  readonly address: string | null;
  readonly displayName: string | null;
  readonly partyType: 'user' | 'contact' | 'account' | 'lead' | 'queue' | null;
  readonly partyId: Id | null;
}

export interface Attachment {
  readonly id: Id;
  readonly fileName: string;
  readonly mimeType: string;
  readonly sizeBytes: number;
  readonly isInline: boolean;
}

export interface Email extends Owned {
  readonly id: Id;
  readonly subject: string;
  readonly status: string;
  readonly state: string;
  readonly direction: 'incoming' | 'outgoing' | null;
  readonly regardingType: string | null;
  readonly regardingId: Id | null;
  readonly messageId: string | null;
  readonly inReplyTo: string | null;
  readonly trackingToken: string | null;
  readonly correlationMethod: string | null;
  readonly bodyText: string | null;
  readonly bodyHtml: string | null;
  readonly from: Party[];
  readonly to: Party[];
  readonly cc: Party[];
  readonly bcc: Party[];
  readonly attachments: Attachment[];
  readonly createdAt: IsoTime;
}

export interface QueueItem extends Owned {
  readonly id: Id;
  readonly queueId: Id;
  readonly activityId: Id;
  readonly workerId: Id | null;
  readonly enteredAt: IsoTime;
  readonly state: ActiveState;
}

/** An incoming message the pipeline could not process (GET /api/mailboxes/{id}/items). */
export interface FailedItem {
  readonly id: Id;
  readonly mailboxId: Id;
  readonly status: 'failed' | 'parked' | 'skipped' | 'processed';
  readonly code: string | null;
  readonly reason: string | null;
  readonly attempts: number;
  readonly subject: string | null;
  readonly lastAttemptAt: IsoTime;
}

export interface TestResult {
  readonly mailboxId: Id;
  readonly completed: boolean;
  readonly incomingStatus: ChannelStatus;
  readonly outgoingStatus: ChannelStatus;
  readonly actStatus: ChannelStatus;
}

export interface ConnectionTestResult {
  readonly workload: Channel;
  readonly status: 'success' | 'failure' | 'skipped';
  readonly detail: string;
  readonly code?: string;
}

/** GET /api/mailboxes/{id}/diagnosis: every Test & Enable precondition, checked without side effects. */
export interface DiagnosisReport {
  readonly ok: boolean;
  readonly channels: {
    readonly channel: Channel;
    readonly applicable: boolean;
    readonly problems: {
      readonly code: string;
      readonly level: AlertLevel;
      readonly message: string;
      readonly diagnosis: Diagnosis;
    }[];
  }[];
}

export interface Organization {
  readonly name: string;
  readonly productName: string;
  readonly requireApprovalForUserEmail: boolean;
  readonly requireApprovalForQueueEmail: boolean;
  readonly emailCorrelationEnabled: boolean;
  readonly trackingTokenEnabled: boolean;
  readonly trackingTokenPrefix: string;
  readonly trackingTokenDigits: number;
  readonly smartMatchingEnabled: boolean;
  readonly autoCreateContacts: boolean;
  readonly ignoreInternalEmail: boolean;
  readonly trackInternalEmailAsTwoActivities: boolean;
  readonly generateAlertsForErrors: boolean;
  readonly generateAlertsForWarnings: boolean;
  readonly generateAlertsForInformation: boolean;
  readonly notifyMailboxOwnerOfProfileAlerts: boolean;
  readonly maxIncomingMessageSizeKb: number;
  readonly maxAttachmentSizeKb: number;
  readonly transientFailureLimit: number;
  readonly defaultEmailServerProfileId: Id | null;
}

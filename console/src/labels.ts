/**
 * The words the console shows for the API's values, following the reference
 * system's labels so that its administrators recognise them.
 */
import type {
  ApprovalStatus,
  ChannelStatus,
  Depth,
  IncomingEmailFilter,
  ServerType,
  TlsMode,
} from './api/types';

export const CHANNEL_STATUS: Readonly<Record<ChannelStatus, string>> = {
  notRun: 'Not Run',
  success: 'Success',
  failure: 'Failure',
};

export const APPROVAL_STATUS: Readonly<Record<ApprovalStatus, string>> = {
  empty: 'Empty',
  approved: 'Approved',
  pendingApproval: 'Pending Approval',
  rejected: 'Rejected',
};

export const INCOMING_METHOD = {
  none: 'None',
  serverSideSync: 'Server-Side Synchronization',
  forwardMailbox: 'Forward Mailbox',
} as const;

export const OUTGOING_METHOD = { none: 'None', serverSideSync: 'Server-Side Synchronization' } as const;
export const ACT_METHOD = OUTGOING_METHOD;

export const SERVER_TYPE: Readonly<Record<ServerType, string>> = {
  'imap-smtp': 'IMAP/SMTP Server',
  'pop3-smtp': 'POP3/SMTP Server',
  'caldav-carddav': 'CalDAV/CardDAV Server',
};

export const TLS_MODE: Readonly<Record<TlsMode, string>> = {
  none: 'None (plain text)',
  starttls: 'STARTTLS',
  implicit: 'SSL/TLS (implicit)',
};

export const INCOMING_EMAIL_FILTER: Readonly<Record<IncomingEmailFilter, string>> = {
  all: 'All email messages',
  responsesToTrackedEmail: 'Email messages in response to Mailroom email',
  fromLeadsContactsAccounts: 'Email messages from Leads, Contacts and Accounts',
  fromEmailEnabledRecords: 'Email messages from records that are email enabled',
  none: 'No email messages',
};

export const DEPTH: Readonly<Record<Depth, string>> = {
  none: 'None Selected',
  user: 'User',
  businessUnit: 'Business Unit',
  parentChild: 'Parent: Child Business Units',
  organization: 'Organization',
};

export const CHANNEL = {
  incoming: 'Incoming Email',
  outgoing: 'Outgoing Email',
  act: 'Appointments, Contacts, and Tasks',
} as const;

export function enumOptions<K extends string>(
  labels: Readonly<Record<K, string>>,
): { value: K; label: string }[] {
  return (Object.keys(labels) as K[]).map((value) => ({ value, label: labels[value] }));
}

/**
 * The alert catalogue as data: every alert Mailroom can raise, with its code,
 * level, failure class and exact message template.
 *
 * Two kinds of entries live here:
 *
 * - Rows of the reference catalogue (`../shared/reference/dynamics-sss.md` §1.2,
 *   tables A–G), id = the row (`A1`) or the row plus a variant suffix
 *   (`A12-act`, `A26-in-legacy`). Their message templates and code names are
 *   compatibility data and are copied word for word (administrators search for
 *   them); `text` says whether a template is `verbatim`, `adapted` (a
 *   documented sentence carried over to a direction the reference does not
 *   show, or completed where the reference elides it; `note` says how) or
 *   `own` (the reference documents the code but no message).
 * - Mailroom's own codes (ids `MR1`…, codes `Mailroom…`), for situations the
 *   reference has no row for. Their texts follow the reference's grammar
 *   (§1.1): the mailbox is named, and the last sentence says what happens next.
 *
 * Reference rows that cannot occur with IMAP, POP3, SMTP, CalDAV, CardDAV or
 * Mailroom's records are listed in `NOT_APPLICABLE` with the reason, so that
 * every row A1–G16 is accounted for (a unit test checks this).
 *
 * Conventions for templates:
 * - Placeholders are `{name}` (see `PLACEHOLDERS`); values are inserted as
 *   they are, never re-scanned.
 * - `{product}` is the organization's product name (default "Mailroom").
 *   Every product mention in the reference's templates is the full form
 *   "Microsoft Dynamics 365"; the short form "Dynamics 365" occurs only in the
 *   Test & Enable test message subject, which uses `{productShort}` (see
 *   `productNames` in render.ts: the product name without a leading
 *   "Microsoft "). So with the product name set to "Microsoft Dynamics 365"
 *   every text renders exactly as the reference shows it.
 * - Email subjects are always shown in double quotes (`"{emailSubject}"`), as
 *   in every text the reference quotes from a live system; mailbox and profile
 *   names are shown without quotes (as in C8's live example "Mailbox Michael
 *   Dwyer didn't synchronize"). Where the reference shows a quoted subject in
 *   a mailbox-name position (C1, A15, A19), that is the reference system's own
 *   slip (§1.1), reproduced by passing that value, not by the template.
 * - "Exchange server returned … exception." and similar transport wrappers in
 *   `serverErrorCode` are kept as the reference shows them.
 *
 * `failure` is what Mailroom does with the channel (for `channel: 'item'`:
 * with the one item):
 * - transient: retried with backoff; after the configured number of
 *   consecutive failures the channel is disabled (MR15 says so);
 * - permanent: the channel is disabled at once and needs Test & Enable
 *   (items: the item is not retried);
 * - none: nothing is disabled or retried (warnings, information, decisions).
 */

export const ALERT_CHANNELS = ['incoming', 'outgoing', 'act', 'profile', 'approval', 'item'] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];
/** The workload an item-level entry belongs to. */
export type ItemWorkload = 'incoming' | 'outgoing' | 'act';
export const ALERT_LEVELS = ['error', 'warning', 'information'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];
export const FAILURE_CLASSES = ['transient', 'permanent', 'none'] as const;
export type FailureClass = (typeof FAILURE_CLASSES)[number];

/** Every placeholder a template may use, with what its value is. */
export const PLACEHOLDER_MEANINGS = {
  product: 'the product name from the organization settings (default "Mailroom")',
  productShort: 'the short product name: the product name without a leading "Microsoft "',
  mailboxName: 'the name of the mailbox the alert is about',
  otherMailboxName: 'the name of another mailbox (the one that holds the same address)',
  profileName: 'the name of the email server profile of the mailbox',
  profileType: 'the type of the email server profile (IMAP/SMTP, POP3/SMTP, CalDAV/CardDAV)',
  emailSubject: 'the subject of the email (without quotes; the template adds them)',
  itemName: 'the subject or name of an appointment, task or contact',
  itemReference: 'the server identifier of an item (e.g. IMAP UID and UIDVALIDITY, or a calendar object URL)',
  emailAddress: 'an email address',
  recipients: 'a comma-separated list of email addresses',
  principalId: 'the id of the user that lacks a privilege',
  principalName: 'the name of a user or team (a mailbox owner)',
  privilegeName: 'the name of a privilege, e.g. prvReadEmailServerProfile',
  serverHost: 'the host name of the server Mailroom connected to',
  tlsReason: 'why the TLS certificate was refused (e.g. "self-signed certificate")',
  smtpReply: 'the SMTP reply code and text, e.g. "550 5.1.1 User unknown"',
  sizeKb: 'a message size in KB',
  limitKb: 'a size limit in KB',
  parseError: 'what the parser reported',
  failureCount: 'how many attempts in a row failed',
  attemptCount: 'how many times an item was tried',
  lastErrorCode: 'the code of the last error (an alert code of this catalogue)',
  folderName: 'a mail folder name',
  collectionName: 'the name or URL of a calendar or address book',
  workload: 'the workload tested: "incoming email", "outgoing email" or "appointments, contacts, and tasks"',
  reason: 'a short description of what went wrong',
} as const;
export type Placeholder = keyof typeof PLACEHOLDER_MEANINGS;
export const PLACEHOLDERS = Object.keys(PLACEHOLDER_MEANINGS) as readonly Placeholder[];

export interface AlertCatalogueEntry {
  /** `A1`, `A12-act`, `MR3-in`… unique */
  readonly id: string;
  /** reference rows this entry reproduces (`[]` for Mailroom's own codes) */
  readonly rows: readonly string[];
  /** the code stored on the alert; the reference's code name where it has one */
  readonly code: string;
  /** false when the reference row has no code and the name is Mailroom's */
  readonly codeDocumented: boolean;
  /** the documented numeric error code (an HRESULT as a negative decimal) */
  readonly numericCode?: number;
  /** the "Email Server Error Code:" line, as the reference shows it (may contain placeholders) */
  readonly serverErrorCode?: string;
  readonly channel: AlertChannel;
  /** for `channel: 'item'`: the workload the item belongs to */
  readonly itemWorkload?: ItemWorkload;
  readonly level: AlertLevel;
  readonly failure: FailureClass;
  /** the message template */
  readonly template: string;
  /** a details line (may contain placeholders), shown under the message */
  readonly details?: string;
  /** every placeholder used in template, serverErrorCode and details, no others */
  readonly placeholders: readonly Placeholder[];
  /** where the message text comes from */
  readonly text: 'verbatim' | 'adapted' | 'own';
  /** an older wording the reference documents; Mailroom raises the current one */
  readonly legacy?: boolean;
  /** when Mailroom raises it */
  readonly when: string;
  /** what it means */
  readonly meaning: string;
  /** how to fix it */
  readonly fix: string;
  /** where the entry departs from, or interprets, the reference */
  readonly note?: string;
}

export interface NotApplicableRow {
  /** the row, or the row plus a variant suffix */
  readonly id: string;
  /** the reference's code name, or a short description when it has none */
  readonly code: string;
  readonly reason: string;
}

/** Every row of the reference catalogue, in order (§1.2: A1–A36, B1–B4, C1–C16, D1–D7, E1–E10, F1–F8, G1–G16). */
export const REFERENCE_ROWS: readonly string[] = (
  [
    ['A', 36],
    ['B', 4],
    ['C', 16],
    ['D', 7],
    ['E', 10],
    ['F', 8],
    ['G', 16],
  ] as const
).flatMap(([letter, count]) => Array.from({ length: count }, (_, i) => `${letter}${i + 1}`));

/** The subject of the Test & Enable test message (reference: "Your mailbox is now connected to Dynamics 365"). */
export const TEST_MESSAGE_SUBJECT_TEMPLATE = 'Your mailbox is now connected to {productShort}';

// ---------------------------------------------------------------------------
// Shared wordings

/** §1.2 C: the template most incoming alerts share. */
const INCOMING_UNKNOWN =
  'An unknown error occurred while receiving email through the mailbox {mailboxName}. The owner of the associated email server profile {profileName} has been notified. The system will try to receive email again later.';
/** E3: the generic transient ACT text. */
const ACT_TRY_AGAIN =
  "Appointments, contacts, and tasks for the mailbox {mailboxName} couldn't be synchronized. The owner of the associated email server profile {profileName} has been notified. The system will try again later.";
/** A3/A4/A5 */
const ACT_INSUFFICIENT_PERMISSIONS =
  "Appointments, contacts, and tasks can't be synchronized for the mailbox {mailboxName} because the mailbox user doesn't have sufficient permissions on this mailbox.";
/** A15, F5 */
const OUTGOING_CONNECT =
  'An error occurred in sending email for mailbox {mailboxName} while connecting to the email server. The owner of the associated email server profile {profileName} has been notified. The system will try to send email again later.';
/** C10 */
const INCOMING_CONNECT =
  'An error occurred in receiving email for the mailbox {mailboxName} while connecting to the email server. The owner of the associated email server profile {profileName} has been notified. The system will try to receive email again later.';

const MBX_PROFILE: readonly Placeholder[] = ['mailboxName', 'profileName'];

const FIX_PRIVILEGES =
  "Give the mailbox owner a security role that grants the privileges listed in docs/security.md for this workload (or add them to one of the owner's roles), then run Test & Enable.";

// ---------------------------------------------------------------------------
// The catalogue

export const ALERT_CATALOGUE: readonly AlertCatalogueEntry[] = [
  // ------------------------------------------------------------ A. Configuration, Test & Enable, connectivity, authentication
  {
    id: 'A1',
    rows: ['A1'],
    code: 'InvalidIncomingEmailServerProfile',
    codeDocumented: true,
    channel: 'incoming',
    level: 'error',
    failure: 'permanent',
    template:
      'Email cannot be received because the mailbox {mailboxName} does not have an email server profile associated with it or the email server profile is inactive.',
    placeholders: ['mailboxName'],
    text: 'verbatim',
    when: 'Test & Enable or an incoming cycle finds that the mailbox has no email server profile, or that its profile is Inactive.',
    meaning:
      'Mailbox settings cannot be complete without a profile: the profile says which server to reach and how.',
    fix: 'Set the mailbox\'s email server profile, or activate the profile (list profiles with state "inactive" and use Activate), then run Test & Enable.',
  },
  {
    id: 'A2',
    rows: ['A2'],
    code: 'UserPrivilegeError',
    codeDocumented: true,
    channel: 'act',
    level: 'error',
    failure: 'permanent',
    template:
      "An internal {product} error occurred while synchronizing appointments, contacts, and tasks for the mailbox {mailboxName}. The mailbox didn't synchronize. The owner of the associated email server profile {profileName} has been notified.",
    placeholders: ['product', 'mailboxName', 'profileName'],
    text: 'verbatim',
    when: "Test & Enable or an ACT cycle of a user mailbox finds that the mailbox's owner is not its user, or that the owner's roles lack a privilege on appointments, tasks (activities) or contacts that ACT synchronization needs.",
    meaning:
      'ACT synchronization works on behalf of the mailbox owner, who must be the user and must be allowed to create, read, change and delete those records.',
    fix: 'Make the mailbox owner its own user; give that user a role with the ACT privileges (docs/security.md); run Test & Enable.',
  },
  {
    id: 'A3',
    rows: ['A3'],
    code: 'Crm.80040220.PrivilegeDenied',
    codeDocumented: true,
    numericCode: -2147220960,
    serverErrorCode: 'Crm.80040220.PrivilegeDenied',
    channel: 'act',
    level: 'error',
    failure: 'permanent',
    template: ACT_INSUFFICIENT_PERMISSIONS,
    details: 'Principal user (Id={principalId}, type=8) is missing {privilegeName} privilege',
    placeholders: ['mailboxName', 'principalId', 'privilegeName'],
    text: 'verbatim',
    when: 'Test & Enable or an ACT cycle finds that the mailbox user lacks one of the privileges every sync channel needs (read and write on the mailbox, read on the email server profile, read on the organization); the details name it.',
    meaning:
      'The user cannot even load the mailbox configuration as itself, so synchronization cannot start.',
    fix: "Add the privilege named in the details to one of the user's roles (docs/security.md), then run Test & Enable.",
    note: 'The details line copies the reference\'s wording ("type=8" is the reference system\'s code for a user) so that searches for "is missing prvReadEmailServerProfile privilege" find it.',
  },
  {
    id: 'A4',
    rows: ['A4'],
    code: 'Crm.80048306',
    codeDocumented: true,
    numericCode: -2147187962,
    serverErrorCode:
      'Crm.80048306.Not enough privilege to access the {product} object or perform the requested operation.',
    channel: 'act',
    level: 'error',
    failure: 'permanent',
    template: ACT_INSUFFICIENT_PERMISSIONS,
    placeholders: ['mailboxName', 'product'],
    text: 'verbatim',
    when: 'The user holds the privileges, but not at a depth that reaches the record ACT synchronization must change: typically user-level read/write on the mailbox fails because the mailbox is owned by someone else.',
    meaning: 'The privilege check passed and the record-level access check failed.',
    fix: "Make the mailbox owner its own user, or widen the depth of the privilege in the user's role; then run Test & Enable.",
  },
  {
    id: 'A5',
    rows: ['A5'],
    code: 'Crm.80042f09.UserNotAssignedRoles',
    codeDocumented: true,
    numericCode: -2147209463,
    serverErrorCode: 'Crm.80042f09.UserNotAssignedRoles',
    channel: 'act',
    level: 'error',
    failure: 'permanent',
    template: ACT_INSUFFICIENT_PERMISSIONS,
    details:
      'SecLib::RetrievePrivilegeForUser failed - no roles are assigned to user. Returned hr = -2147209463',
    placeholders: ['mailboxName'],
    text: 'verbatim',
    when: 'Test & Enable or an ACT cycle finds that the mailbox user holds no security role at all, neither directly nor through a team.',
    meaning: 'Without a role the user has no privileges, so nothing can be synchronized on its behalf.',
    fix: 'Assign a security role to the user (or add it to a team that has one), then run Test & Enable.',
  },
  {
    id: 'A12-act',
    rows: ['A12'],
    code: 'Http server returned 401 Unauthorized exception.',
    codeDocumented: true,
    serverErrorCode: 'Http server returned 401 Unauthorized exception.',
    channel: 'act',
    level: 'error',
    failure: 'permanent',
    template:
      "Appointments, contacts, and tasks can't be synchronized. Make sure that the credentials specified in the mailbox {mailboxName} are correct and have sufficient permissions. Then, enable the mailbox for appointments, contacts, and tasks synchronization.",
    placeholders: ['mailboxName'],
    text: 'verbatim',
    when: 'The CalDAV or CardDAV server answers 401 Unauthorized: the user name or password is wrong, or missing.',
    meaning: 'The calendar and address book server refused the credentials.',
    fix: 'Correct the user name and password (in the mailbox, or in the profile when the profile holds them), then run Test & Enable.',
    note: 'The reference has no ACT text for credentials held in the profile; Mailroom uses this one for both.',
  },
  {
    id: 'A15',
    rows: ['A15'],
    code: 'Web server returned ConnectFailure exception.',
    codeDocumented: true,
    serverErrorCode: 'Web server returned ConnectFailure exception.',
    channel: 'outgoing',
    level: 'error',
    failure: 'transient',
    template: OUTGOING_CONNECT,
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: 'Mailroom cannot open a connection to the SMTP server: the connection is refused, the host is unreachable, or its name does not resolve (temporarily or at all).',
    meaning:
      'Nothing answers at the outgoing host and port of the profile: the server is down, a firewall blocks it, or the port is wrong.',
    fix: 'Check the outgoing host and port of the profile (submission is usually 587 with STARTTLS or 465 with implicit TLS) and that the server is running and reachable from Mailroom.',
  },
  {
    id: 'A15-in',
    rows: ['A15'],
    code: 'Web server returned ConnectFailure exception.',
    codeDocumented: true,
    serverErrorCode: 'Web server returned ConnectFailure exception.',
    channel: 'incoming',
    level: 'error',
    failure: 'transient',
    template: INCOMING_CONNECT,
    placeholders: MBX_PROFILE,
    text: 'adapted',
    when: 'Mailroom cannot open a connection to the IMAP or POP3 server: refused, unreachable, or a temporary name-resolution failure.',
    meaning: 'Nothing answers at the incoming host and port of the profile.',
    fix: 'Check the incoming host and port (IMAP 993 implicit TLS or 143 STARTTLS; POP3 995 or 110) and that the server is running and reachable.',
    note: "A15 documents ConnectFailure for sending only; the incoming text is C10's documented sentence for a failed connection while receiving.",
  },
  {
    id: 'A15-act',
    rows: ['A15'],
    code: 'Web server returned ConnectFailure exception.',
    codeDocumented: true,
    serverErrorCode: 'Web server returned ConnectFailure exception.',
    channel: 'act',
    level: 'error',
    failure: 'transient',
    template: ACT_TRY_AGAIN,
    placeholders: MBX_PROFILE,
    text: 'adapted',
    when: 'Mailroom cannot open a connection to the CalDAV/CardDAV server: refused, unreachable, or its name does not resolve.',
    meaning: 'Nothing answers at the calendar and address book URL of the profile.',
    fix: 'Check the server URL and port of the CalDAV/CardDAV profile and that the server is running and reachable.',
    note: "The text is E3's documented generic ACT sentence.",
  },
  {
    id: 'A16',
    rows: ['A16'],
    code: 'Socket returned exception TimedOut.',
    codeDocumented: true,
    serverErrorCode: 'Socket returned exception TimedOut.',
    channel: 'incoming',
    level: 'error',
    failure: 'transient',
    template:
      "A general mailbox access error occurred while receiving email. Mailbox {mailboxName} didn't synchronize. The owner of the associated email server profile {profileName} has been notified.",
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: 'Connecting to the IMAP/POP3 server, or waiting for its answer, takes longer than the connection timeout.',
    meaning: 'Packets are being dropped on the way (firewall, wrong port) or the server is overloaded.',
    fix: 'Check the incoming port and firewall rules; if the server is only slow, the next cycles succeed on their own.',
    note: 'The reference states no failure class; a timeout is a network failure, which §3.4 calls transient.',
  },
  {
    id: 'A16-out',
    rows: ['A16'],
    code: 'Socket returned exception TimedOut.',
    codeDocumented: true,
    serverErrorCode: 'Socket returned exception TimedOut.',
    channel: 'outgoing',
    level: 'error',
    failure: 'transient',
    template: OUTGOING_CONNECT,
    placeholders: MBX_PROFILE,
    text: 'adapted',
    when: 'Connecting to the SMTP server, or waiting for its answer, times out.',
    meaning: 'Packets are being dropped on the way (firewall, wrong port) or the server is overloaded.',
    fix: 'Check the outgoing port and firewall rules; if the server is only slow, the next cycles succeed on their own.',
    note: "The text is A15's documented sentence for a failed connection while sending.",
  },
  {
    id: 'A16-act',
    rows: ['A16'],
    code: 'Socket returned exception TimedOut.',
    codeDocumented: true,
    serverErrorCode: 'Socket returned exception TimedOut.',
    channel: 'act',
    level: 'error',
    failure: 'transient',
    template: ACT_TRY_AGAIN,
    placeholders: MBX_PROFILE,
    text: 'adapted',
    when: 'A request to the CalDAV/CardDAV server times out.',
    meaning: 'The calendar server does not answer in time.',
    fix: 'Check the server URL, port and firewall; if the server is only slow, the next cycles succeed on their own.',
    note: "The text is E3's documented generic ACT sentence.",
  },
  {
    id: 'A17',
    rows: ['A17'],
    code: 'Socket returned exception InvalidIncomingEmailServerProfileConfiguration HostNotFound.',
    codeDocumented: true,
    serverErrorCode: 'Socket returned exception InvalidIncomingEmailServerProfileConfiguration HostNotFound.',
    channel: 'incoming',
    level: 'error',
    failure: 'permanent',
    template:
      "Email cannot be received for the mailbox {mailboxName} because the email server location or the incoming email port specified in the associated email server profile {profileName} is incorrect. The mailbox didn't synchronize. The owner of the email server profile has been notified.",
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: 'The incoming host name of the profile does not exist in DNS (the name server answers "no such host"), or the port answers with something that is not IMAP or POP3.',
    meaning: 'The profile points at a server that is not there or not a mail server.',
    fix: 'Correct the incoming host name and port in the profile, then run Test & Enable.',
    note: 'A temporary DNS failure is reported as A15-in (transient) instead, because the text states that the settings are wrong.',
  },
  {
    id: 'A18',
    rows: ['A18', 'A35'],
    code: 'UnknownOutgoingEmailIntegrationError',
    codeDocumented: false,
    channel: 'outgoing',
    level: 'error',
    failure: 'permanent',
    template:
      'An unknown error occurred while sending the email message "{emailSubject}". Mailbox {mailboxName} didn\'t synchronize. The owner of the associated email server profile {profileName} has been notified.',
    placeholders: ['emailSubject', 'mailboxName', 'profileName'],
    text: 'verbatim',
    when: 'The outgoing server does not speak SMTP as expected: no SMTP greeting, "command unrecognized" to EHLO or STARTTLS, or no AUTH offered although the profile sends credentials. Usually the port belongs to another service or the TLS mode is wrong.',
    meaning: "The profile's outgoing port or TLS mode does not match the server.",
    fix: 'Use the submission port with the matching TLS mode (587 with STARTTLS, 465 with implicit TLS), then run Test & Enable.',
    note: "The reference gives this row no code; the name is the outgoing counterpart of UnknownIncomingEmailIntegrationError, which F2's server error code also uses.",
  },
  {
    id: 'A19',
    rows: ['A19'],
    code: 'OutgoingEmailAuthenticationError',
    codeDocumented: true,
    channel: 'outgoing',
    level: 'error',
    failure: 'permanent',
    template:
      "Email cannot be sent for mailbox {mailboxName} because either a server certificate needed to connect to the email server could not be validated or the credentials used to send email are incorrect or do not provide access. Mailbox {mailboxName} didn't synchronize. A notification about this is posted on the alerts wall for the owner of the email server profile {profileName}.",
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: 'The TLS handshake with the SMTP server fails for a reason other than an untrusted certificate (for which MR1-out gives the exact reason): for example the server offers no STARTTLS although the profile requires it, or no common protocol version.',
    meaning: 'Mailroom will not send credentials or mail over a connection it could not secure.',
    fix: 'Match the TLS mode of the profile to the server (STARTTLS or implicit TLS) and make sure the server offers TLS 1.2 or later.',
  },
  {
    id: 'A20',
    rows: ['A20'],
    code: 'MailboxDisabled',
    codeDocumented: true,
    channel: 'outgoing',
    level: 'error',
    failure: 'permanent',
    template:
      'The email message "{emailSubject}" cannot be sent because the mailbox {mailboxName} is deactivated or disabled for outgoing email.',
    placeholders: ['emailSubject', 'mailboxName'],
    text: 'verbatim',
    when: 'Test & Enable runs on an Inactive mailbox (deactivating a user deactivates its mailbox), or an email waits to be sent from a mailbox that is Inactive or not enabled for outgoing email.',
    meaning: 'Mailroom sends only from active mailboxes that passed Test & Enable for outgoing email.',
    fix: 'Activate the user and the mailbox, then run Test & Enable.',
  },
  {
    id: 'A20-in',
    rows: ['A20'],
    code: 'MailboxDisabled',
    codeDocumented: true,
    channel: 'incoming',
    level: 'error',
    failure: 'permanent',
    template:
      'Email cannot be received because the mailbox {mailboxName} is deactivated or disabled for incoming email.',
    placeholders: ['mailboxName'],
    text: 'adapted',
    when: 'Test & Enable runs on an Inactive mailbox.',
    meaning: 'Mailroom receives only for active mailboxes.',
    fix: 'Activate the user and the mailbox, then run Test & Enable.',
    note: "A20 documents sending only; this is its sentence with A1's incoming wording.",
  },
  {
    id: 'A20-act',
    rows: ['A20'],
    code: 'MailboxDisabled',
    codeDocumented: true,
    channel: 'act',
    level: 'error',
    failure: 'permanent',
    template:
      "Appointments, contacts, and tasks can't be synchronized because the mailbox {mailboxName} is deactivated or disabled for appointments, contacts, and tasks synchronization.",
    placeholders: ['mailboxName'],
    text: 'adapted',
    when: 'Test & Enable runs on an Inactive mailbox.',
    meaning: 'Mailroom synchronizes only active mailboxes.',
    fix: 'Activate the user and the mailbox, then run Test & Enable.',
    note: "A20 documents sending only; this is its sentence with A29's ACT wording.",
  },
  {
    id: 'A24-in',
    rows: ['A24'],
    code: 'IncomingEmailApprovalNeeded',
    codeDocumented: false,
    channel: 'incoming',
    level: 'error',
    failure: 'permanent',
    template:
      "Email can't be received for the mailbox {mailboxName} because the email address of the mailbox {mailboxName} is not approved and the mailbox has been disabled. The owner of the associated email server profile {profileName} has been notified.",
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: 'The organization requires approval of user (or queue) email addresses and the address of this mailbox is not approved (or was rejected).',
    meaning: 'No mail is received for an address until someone with the approve privilege vouches for it.',
    fix: "Approve the mailbox's email address (needs prvApproveRejectEmailAddress), or turn off the approval requirement; then run Test & Enable.",
    note: 'The reference gives no code for this row; the name follows A23\'s IncomingEmailS2SApprovalNeeded without the Exchange-only "S2S".',
  },
  {
    id: 'A24-out',
    rows: ['A24'],
    code: 'OutgoingEmailApprovalNeeded',
    codeDocumented: false,
    channel: 'outgoing',
    level: 'error',
    failure: 'permanent',
    template:
      "Email can't be sent for the mailbox {mailboxName} because the email address of the mailbox {mailboxName} is not approved and the mailbox has been disabled. The owner of the associated email server profile {profileName} has been notified.",
    placeholders: MBX_PROFILE,
    text: 'adapted',
    when: 'As A24-in, for sending.',
    meaning: 'No mail is sent from an address until it is approved.',
    fix: "Approve the mailbox's email address, or turn off the approval requirement; then run Test & Enable.",
    note: 'The reference\'s neutral wording exists for receiving only; this is the same sentence for sending. Its other wording ("requires an approval by a Microsoft 365 administrator") is listed as A24-m365.',
  },
  {
    id: 'A24-act',
    rows: ['A24'],
    code: 'ActEmailApprovalNeeded',
    codeDocumented: false,
    channel: 'act',
    level: 'error',
    failure: 'permanent',
    template:
      "Appointments, contacts, and tasks can't be synchronized for the mailbox {mailboxName} because the email address of the mailbox {mailboxName} is not approved and the mailbox has been disabled. The owner of the associated email server profile {profileName} has been notified.",
    placeholders: MBX_PROFILE,
    text: 'adapted',
    when: 'As A24-in, for appointments, contacts and tasks (§3.7: ACT needs an approved user mailbox).',
    meaning: 'Calendars and address books are synchronized only for approved addresses.',
    fix: "Approve the mailbox's email address, or turn off the approval requirement; then run Test & Enable.",
    note: 'A24 lists only email; A23 shows that the reference raises the same condition for ACT.',
  },
  {
    id: 'A24-summary-in',
    rows: ['A24'],
    code: 'IncomingEmailApprovalNeeded',
    codeDocumented: false,
    channel: 'approval',
    level: 'error',
    failure: 'permanent',
    template:
      "One or more mailboxes have been disabled for receiving email because their email addresses haven't been approved. Approve the email addresses, and then enable the mailboxes for receiving email.",
    placeholders: [],
    text: 'verbatim',
    when: 'Shown once on the email server profile when mailboxes of the profile were disabled for receiving by A24-in.',
    meaning: 'A summary for the profile owner, who may be the one able to approve.',
    fix: 'Approve the addresses (bulk approval is fine), then run Test & Enable on those mailboxes.',
    note: 'The reference writes one sentence for both directions ("sending/receiving"); each direction is one entry.',
  },
  {
    id: 'A24-summary-out',
    rows: ['A24'],
    code: 'OutgoingEmailApprovalNeeded',
    codeDocumented: false,
    channel: 'approval',
    level: 'error',
    failure: 'permanent',
    template:
      "One or more mailboxes have been disabled for sending email because their email addresses haven't been approved. Approve the email addresses, and then enable the mailboxes for sending email.",
    placeholders: [],
    text: 'verbatim',
    when: 'As A24-summary-in, for sending.',
    meaning: 'A summary for the profile owner.',
    fix: 'Approve the addresses, then run Test & Enable on those mailboxes.',
    note: 'The reference writes one sentence for both directions ("sending/receiving"); each direction is one entry.',
  },
  {
    id: 'A26-in',
    rows: ['A26'],
    code: 'InvalidIncomingEmailServerProfileCredentials',
    codeDocumented: false,
    channel: 'incoming',
    level: 'error',
    failure: 'permanent',
    template:
      "Email can't be received because the credentials specified in the associated email server profile are incorrect or have insufficient permissions for receiving email. The mailbox {mailboxName} has been disabled for receiving email and the owner of the email server profile {profileName} has been notified.",
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: 'The profile holds the credentials and the IMAP/POP3 server rejects the login (wrong user name or password, account locked), or the profile holds none.',
    meaning: 'Every mailbox of the profile that logs in with these credentials is affected.',
    fix: 'Correct the incoming user name and password in the profile, use its connection test, then run Test & Enable on the mailboxes.',
    note: 'The reference gives no code for this row; the name mirrors A27\'s InvalidIncomingMailboxCredentials. One sentence covers both directions in the reference ("sent/received"); each direction is one entry.',
  },
  {
    id: 'A26-out',
    rows: ['A26'],
    code: 'InvalidOutgoingEmailServerProfileCredentials',
    codeDocumented: false,
    channel: 'outgoing',
    level: 'error',
    failure: 'permanent',
    template:
      "Email can't be sent because the credentials specified in the associated email server profile are incorrect or have insufficient permissions for sending email. The mailbox {mailboxName} has been disabled for sending email and the owner of the email server profile {profileName} has been notified.",
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: 'The profile holds the credentials and the SMTP server rejects AUTH (535) or refuses to relay for that account, or the profile holds none.',
    meaning: 'Every mailbox of the profile that sends with these credentials is affected.',
    fix: 'Correct the outgoing user name and password in the profile, use its connection test, then run Test & Enable on the mailboxes.',
    note: 'As A26-in.',
  },
  {
    id: 'A26-in-legacy',
    rows: ['A26'],
    code: 'InvalidIncomingEmailServerProfileCredentials',
    codeDocumented: false,
    channel: 'incoming',
    level: 'error',
    failure: 'permanent',
    legacy: true,
    template:
      "Email cannot be received because the credentials specified in the associated email server profile are incorrect or have insufficient permissions for receiving email. Mailbox {mailboxName} didn't synchronize. A notification about this is posted on the alerts wall for the owner of the email server profile {profileName}.",
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: 'Not raised: the older wording of A26-in, listed so that searches for it lead here.',
    meaning: 'As A26-in.',
    fix: 'As A26-in.',
  },
  {
    id: 'A26-out-legacy',
    rows: ['A26'],
    code: 'InvalidOutgoingEmailServerProfileCredentials',
    codeDocumented: false,
    channel: 'outgoing',
    level: 'error',
    failure: 'permanent',
    legacy: true,
    template:
      'The email message "{emailSubject}" cannot be sent because the credentials specified in the associated email server profile are incorrect or have insufficient permissions for sending email. The owner of the email server profile {profileName} has been notified.',
    placeholders: ['emailSubject', 'profileName'],
    text: 'verbatim',
    when: 'Not raised: the older wording of A26-out, listed so that searches for it lead here.',
    meaning: 'As A26-out.',
    fix: 'As A26-out.',
  },
  {
    id: 'A27-in',
    rows: ['A27', 'A35'],
    code: 'InvalidIncomingMailboxCredentials',
    codeDocumented: true,
    channel: 'incoming',
    level: 'error',
    failure: 'permanent',
    template:
      'Email cannot be received for the mailbox {mailboxName}. Make sure that the credentials specified in the mailbox are correct and have sufficient permissions for receiving email. Then, enable the mailbox for email processing.',
    placeholders: ['mailboxName'],
    text: 'verbatim',
    when: "The profile takes credentials from each mailbox and the IMAP/POP3 server rejects this mailbox's login, or the mailbox has no credentials (or is not allowed to use them).",
    meaning: 'Only this mailbox is affected; its own user name or password is wrong or missing.',
    fix: "Set the mailbox's user name and password (and allow their use for email processing), then run Test & Enable.",
  },
  {
    id: 'A27-out',
    rows: ['A27'],
    code: 'InvalidOutgoingMailboxCredentials',
    codeDocumented: true,
    channel: 'outgoing',
    level: 'error',
    failure: 'permanent',
    template:
      'The email message "{emailSubject}" cannot be sent. Make sure that the credentials specified in the mailbox {mailboxName} are correct and have sufficient permissions for sending email. Then, enable the mailbox for email processing.',
    placeholders: ['emailSubject', 'mailboxName'],
    text: 'verbatim',
    when: "The profile takes credentials from each mailbox and the SMTP server rejects this mailbox's AUTH, or the mailbox has no credentials.",
    meaning: 'Only this mailbox is affected; its own user name or password is wrong or missing.',
    fix: "Set the mailbox's user name and password, then run Test & Enable.",
  },
  {
    id: 'A28-in',
    rows: ['A28', 'A29'],
    code: 'InvalidIncomingMailboxEmailAddress',
    codeDocumented: true,
    channel: 'incoming',
    level: 'error',
    failure: 'permanent',
    template:
      "Email can't be received for the mailbox {mailboxName} because the mailbox record doesn't have a valid email address. The mailbox didn't synchronize. A notification about this is posted on the alerts wall for the owner of the email server profile {profileName}.",
    placeholders: MBX_PROFILE,
    text: 'adapted',
    when: 'Test & Enable or an incoming cycle finds that the mailbox email address is empty or not a valid address.',
    meaning: 'Mailroom needs the address to recognize which messages are for this mailbox and to report it.',
    fix: 'Enter a valid email address on the mailbox (it must be the address of a real mailbox, not a list), then run Test & Enable.',
    note: 'The reference elides the end of this text ("..."); it is completed with the sentences of the outgoing text of the same row.',
  },
  {
    id: 'A28-out',
    rows: ['A28'],
    code: 'InvalidOutgoingMailboxEmailAddress',
    codeDocumented: true,
    channel: 'outgoing',
    level: 'error',
    failure: 'permanent',
    template:
      "Email can't be sent for the mailbox {mailboxName} because the mailbox record doesn't have a valid email address. The mailbox didn't synchronize. A notification about this is posted on the alerts wall for the owner of the email server profile {profileName}.",
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: 'Test & Enable or an outgoing cycle finds that the mailbox email address is empty or not a valid address.',
    meaning: 'Mailroom cannot send without a sender address.',
    fix: 'Enter a valid email address on the mailbox, then run Test & Enable.',
  },
  {
    id: 'A29-act',
    rows: ['A29'],
    code: 'Exchange.server returned ErrorNonExistentMailbox error.',
    codeDocumented: true,
    serverErrorCode: 'Exchange.server returned ErrorNonExistentMailbox error.',
    channel: 'act',
    level: 'error',
    failure: 'permanent',
    template:
      "Appointments, contacts, and tasks can't be synchronized because the mailbox {mailboxName} doesn't have a valid email address. Specify a valid email address in the mailbox record, and then enable the mailbox for appointments, contacts, and tasks synchronization.",
    placeholders: ['mailboxName'],
    text: 'verbatim',
    when: 'Test & Enable or an ACT cycle finds that the mailbox address is empty or invalid, or the CalDAV/CardDAV server has no principal, calendar home or address book home for it (404 during discovery).',
    meaning: 'There is no calendar or address book that belongs to this mailbox on the server.',
    fix: 'Correct the mailbox address (or the user name used for discovery), make sure the account has a calendar and an address book on the server, then run Test & Enable.',
  },
  {
    id: 'A33',
    rows: ['A33'],
    code: 'Web server returned SecureChannelFailure exception.',
    codeDocumented: true,
    serverErrorCode: 'Web server returned SecureChannelFailure exception.',
    channel: 'incoming',
    level: 'error',
    failure: 'permanent',
    template:
      "Email cannot be received for the mailbox {mailboxName} because an error occurred while establishing a secure connection to the email server. The mailbox didn't synchronize. A notification about this is posted on the alerts wall for the owner of the email server profile {profileName}",
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: 'The TLS handshake with the IMAP/POP3 server fails for a reason other than an untrusted certificate (MR1-in gives that reason exactly): STARTTLS not offered although required, no common protocol version or cipher, or implicit TLS on a plain-text port.',
    meaning: 'Mailroom will not log in over a connection it could not secure.',
    fix: 'Match the TLS mode and port of the profile to the server (993/995 implicit TLS, 143/110 with STARTTLS).',
    note: 'The reference text has no final period; it is kept that way.',
  },
  {
    id: 'A34',
    rows: ['A34'],
    code: 'DuplicateMailboxEmailAddress',
    codeDocumented: false,
    channel: 'incoming',
    level: 'warning',
    failure: 'none',
    template:
      'Exchange email address in {mailboxName} is currently in use for mailbox {otherMailboxName}. Change email address in {mailboxName} or the email address in the mailbox {otherMailboxName} as only one mailbox can be configured for each email address.',
    placeholders: ['mailboxName', 'otherMailboxName'],
    text: 'verbatim',
    when: 'Test & Enable finds another active mailbox with the same email address.',
    meaning: 'Two mailboxes would read the same server mailbox; one address belongs to one mailbox.',
    fix: 'Keep the address on one mailbox only: change or clear it on the other (both are linked from the alert).',
    note: 'The reference gives no code. The text says "Exchange email address" and is kept verbatim for searches; the row applies to any server. Raised on the incoming channel because that is where two mailboxes would collide.',
  },
  // ------------------------------------------------------------ B. Email server profile Test Connection, approval
  {
    id: 'B1',
    rows: ['B1'],
    code: 'ProfileTestConnectionUnauthorized',
    codeDocumented: false,
    channel: 'profile',
    level: 'error',
    failure: 'none',
    template:
      'Remote server error: (401) Unauthorized. Make sure the user name and password you entered are correct and try again.',
    placeholders: [],
    text: 'verbatim',
    when: "The email server profile's connection test logs in with the credentials stored in the profile and the server refuses them (IMAP/POP3 login, SMTP AUTH, or HTTP 401 from CalDAV/CardDAV).",
    meaning:
      'The user name or password in the profile is wrong. Nothing is disabled: the test changes no mailbox.',
    fix: 'Correct the user name and password in the profile and test again.',
    note: 'The reference gives no code. Its other text for this row (a timed-out URL check, a stack trace) is not reproduced; a failed profile test for another reason is MR21.',
  },
  // ------------------------------------------------------------ C. Incoming email processing
  {
    id: 'C1',
    rows: ['C1'],
    code: 'UnknownIncomingEmailIntegrationError -2147209462',
    codeDocumented: true,
    numericCode: -2147209462,
    serverErrorCode: 'Exchange server returned UnknownIncomingEmailIntegrationError -2147209462 exception.',
    channel: 'incoming',
    level: 'error',
    failure: 'transient',
    template: INCOMING_UNKNOWN,
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: "An incoming cycle cannot create the email activity because the mailbox owner holds no security role: for a queue mailbox, the queue's owner (typically a team) has no role of its own.",
    meaning:
      'Email is created on behalf of the owner, and an owner without roles has no privileges. Messages stay on the server and are retried.',
    fix: 'Assign a security role with the incoming privileges (docs/security.md) to the owner of the queue (for a team: the team itself). The next cycle creates the emails.',
  },
  {
    id: 'C4',
    rows: ['C4'],
    code: 'UnknownIncomingEmailIntegrationError -2147220970',
    codeDocumented: true,
    numericCode: -2147220970,
    serverErrorCode: 'Exchange server returned UnknownIncomingEmailIntegrationError -2147220970 exception.',
    channel: 'incoming',
    level: 'warning',
    failure: 'transient',
    template: INCOMING_UNKNOWN,
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: 'The IMAP/POP3 server answers a retrieval command (SELECT, FETCH, UID SEARCH, RETR, UIDL…) with an error that has no more specific meaning.',
    meaning: 'The server had a problem retrieving messages; usually temporary.',
    fix: 'Nothing if it clears in the next cycle; otherwise the server reply is in the alert details and the server logs say more.',
  },
  {
    id: 'C5',
    rows: ['C5'],
    code: 'UnknownIncomingEmailIntegrationError -2147218677',
    codeDocumented: true,
    numericCode: -2147218677,
    serverErrorCode: 'Exchange server returned UnknownIncomingEmailIntegrationError -2147218677 exception.',
    channel: 'incoming',
    level: 'error',
    failure: 'transient',
    template: INCOMING_UNKNOWN,
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: 'A message has an address on its To or Cc line that is not a valid address (RFC 5322 §3.4.1) and cannot be stored as a party of the email.',
    meaning:
      'One message is at fault, not the mailbox; it is retried with the item retry limit and then parked (C16).',
    fix: "Find the message through the alert's item link; ask the sender to correct the address, or remove the message from the mailbox.",
  },
  {
    id: 'C6',
    rows: ['C6'],
    code: 'UnknownIncomingEmailIntegrationError -2147220192',
    codeDocumented: true,
    numericCode: -2147220192,
    serverErrorCode: 'Exchange server returned UnknownIncomingEmailIntegrationError -2147220192 exception.',
    channel: 'incoming',
    level: 'warning',
    failure: 'transient',
    template: INCOMING_UNKNOWN,
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: "An incoming cycle cannot route an email to a queue because the queue's owner (the owner of the queue mailbox, or of another recipient queue) lacks read on queues at a depth that reaches that queue.",
    meaning: 'The owner cannot see the queue it should add the email to.',
    fix: "Grant read on Queue (prvReadQueue) at a sufficient depth to the queue owner's role.",
  },
  {
    id: 'C8',
    rows: ['C8'],
    code: 'UnknownIncomingEmailIntegrationError',
    codeDocumented: true,
    channel: 'incoming',
    level: 'error',
    failure: 'transient',
    template:
      "An unknown error occurred while receiving email. Mailbox {mailboxName} didn't synchronize. The owner of the associated email server profile {profileName} has been notified.",
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: "An incoming cycle fails with an error that matches no other entry (the classifier's fallback); the details carry what happened.",
    meaning: 'Unexpected; the cycle is retried.',
    fix: 'Nothing if it clears in the next cycle; if it persists, report it with the alert details and the server log lines of that time.',
  },
  {
    id: 'C9',
    rows: ['C9'],
    code: 'Exchange server returned ErrorMailboxStoreUnavailable exception.',
    codeDocumented: true,
    serverErrorCode: 'Exchange server returned ErrorMailboxStoreUnavailable exception.',
    channel: 'incoming',
    level: 'warning',
    failure: 'transient',
    template:
      'A general mailbox access error occurred while receiving email through the mailbox {mailboxName}. The owner of the associated email server profile {profileName} has been notified. The system will try to receive email again later.',
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: 'The server says the mailbox is in use or locked: IMAP [INUSE], POP3 [IN-USE] (another POP3 session holds the lock).',
    meaning: 'Another client or process holds the mailbox for now.',
    fix: 'Nothing if it clears; if it persists, look for another client that keeps a POP3 session open on this mailbox.',
  },
  {
    id: 'C10',
    rows: ['C10'],
    code: 'Http server returned ServiceUnavailable exception',
    codeDocumented: true,
    serverErrorCode: 'Http server returned ServiceUnavailable exception',
    channel: 'incoming',
    level: 'warning',
    failure: 'transient',
    template: INCOMING_CONNECT,
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: 'The IMAP/POP3 server accepts the connection but refuses service: a BYE greeting, or [LIMIT] (too many connections for this account).',
    meaning: 'The server is shutting down, overloaded, or limits connections per account.',
    fix: 'Nothing if it clears; if [LIMIT] persists, lower the maximum concurrent connections of the profile or raise the limit on the server.',
    note: 'The reference shows this code without a final period; it is kept that way.',
  },
  {
    id: 'C11',
    rows: ['C11'],
    code: 'IncomingMailboxInternalCrmError',
    codeDocumented: true,
    channel: 'incoming',
    level: 'information',
    failure: 'transient',
    template:
      'An internal {product} error occurred while receiving email through the mailbox {mailboxName}. The owner of the associated email server profile {profileName} has been notified. The system will try to receive email again later.',
    placeholders: ['product', 'mailboxName', 'profileName'],
    text: 'verbatim',
    when: "Mailroom's own side fails during an incoming cycle: the database is unavailable, a transaction is aborted, or the worker's lease on the mailbox was lost.",
    meaning:
      'Nothing is wrong with the mail server or the mailbox; the cycle rolled back and is retried, so nothing is lost or duplicated.',
    fix: 'Nothing if it clears; if it persists, check the database and the Mailroom logs.',
  },
  {
    id: 'C12',
    rows: ['C12'],
    code: 'ErrorInternalServerTransientError',
    codeDocumented: true,
    channel: 'incoming',
    level: 'error',
    failure: 'transient',
    template:
      "An unexpected error occurred while receiving email. Mailbox {mailboxName} didn't synchronize. The owner of the associated email server profile {profileName} has been notified.",
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: 'The server reports a temporary failure of its own: IMAP [UNAVAILABLE] or [SERVERBUG], POP3 [SYS/TEMP].',
    meaning: 'The mail server has an internal problem; usually temporary.',
    fix: 'Nothing if it clears in the next cycle; otherwise check the mail server.',
  },
  {
    id: 'C13-sender',
    rows: ['C13', 'D6'],
    code: 'InvalidSender',
    codeDocumented: true,
    serverErrorCode: 'InvalidSender',
    channel: 'item',
    itemWorkload: 'incoming',
    level: 'information',
    failure: 'transient',
    template:
      'An error occurred while creating the incoming email "{emailSubject}" in {product} for the mailbox {mailboxName}.',
    placeholders: ['emailSubject', 'product', 'mailboxName'],
    text: 'verbatim',
    when: 'A message has no usable From address (missing, empty, or not a valid address).',
    meaning:
      'The email cannot be created without a sender. It is retried with the item retry limit, then parked (C16).',
    fix: 'Nothing for the mailbox; the message is usually spam or a broken notification. Remove it, or ask its sender to fix the From header.',
    note: "The reference's template shows the subject placeholder without quotes and its live example with them; Mailroom quotes subjects everywhere.",
  },
  {
    id: 'C13-forward',
    rows: ['C13'],
    code: 'InvalidForwardMailItem',
    codeDocumented: true,
    serverErrorCode: 'InvalidForwardMailItem',
    channel: 'item',
    itemWorkload: 'incoming',
    level: 'information',
    failure: 'permanent',
    template:
      'An error occurred while creating the incoming email "{emailSubject}" in {product} for the mailbox {mailboxName}.',
    placeholders: ['emailSubject', 'product', 'mailboxName'],
    text: 'verbatim',
    when: 'A forward mailbox receives a message that does not carry the original email as an attachment (message/rfc822), or the forwarding user\'s mailbox is not set to incoming "forward mailbox".',
    meaning:
      'Forward mailboxes only accept emails forwarded as attachments; this message is left in place and not tried again.',
    fix: 'Change the user\'s forwarding rule to forward as an attachment, and set that user\'s mailbox incoming method to "forward mailbox".',
    note: 'As C13-sender.',
  },
  {
    id: 'C16',
    rows: ['C16'],
    code: 'Undeliverable',
    codeDocumented: true,
    channel: 'item',
    itemWorkload: 'incoming',
    level: 'warning',
    failure: 'permanent',
    template:
      'The incoming email "{emailSubject}" in the mailbox {mailboxName} couldn\'t be tracked after {attemptCount} attempts and won\'t be tried again. The last error was {lastErrorCode}.',
    placeholders: ['emailSubject', 'mailboxName', 'attemptCount', 'lastErrorCode'],
    text: 'own',
    when: 'A message failed in as many cycles as the item retry limit allows (the reference: 5); it is parked and, when the profile names a folder for failed items, moved there.',
    meaning:
      'This one message will not be tracked unless someone intervenes; the rest of the mailbox is unaffected.',
    fix: 'Fix the cause named by the last error, then move the message back to the Inbox (or track it manually).',
    note: 'The reference documents the outcome (an Exchange category "Undeliverable") but no alert text.',
  },
  // ------------------------------------------------------------ D. Item-level sync errors
  {
    id: 'D1',
    rows: ['D1'],
    code: 'NoRecipientMatch',
    codeDocumented: true,
    numericCode: -2147218683,
    channel: 'item',
    itemWorkload: 'incoming',
    level: 'warning',
    failure: 'none',
    template:
      'The incoming email "{emailSubject}" in the mailbox {mailboxName} wasn\'t tracked because none of its To or Cc addresses belongs to a user or queue in {product}.',
    placeholders: ['emailSubject', 'mailboxName', 'product'],
    text: 'own',
    when: 'No To or Cc address of a message resolves to a user or queue: it came through a distribution list, to an alias, or as Bcc; or the address matches several records and the organization leaves such matches unresolved.',
    meaning:
      'Mailroom tracks an email for the users and queues it is addressed to; this one names none of them.',
    fix: "Add the alias to the user or queue, or remove the duplicate address from the other record; for lists and Bcc, set the receiving mailbox's user or queue to track all email messages.",
  },
  {
    id: 'D2',
    rows: ['D2'],
    code: 'NoCorrelationMatch',
    codeDocumented: true,
    channel: 'item',
    itemWorkload: 'incoming',
    level: 'information',
    failure: 'none',
    template:
      'The incoming email "{emailSubject}" in the mailbox {mailboxName} wasn\'t tracked because none of its recipient users or queues accepts it under their email tracking setting.',
    placeholders: ['emailSubject', 'mailboxName'],
    text: 'own',
    when: 'Recipients resolve to users or queues, but each one\'s incoming-email filter rejects the message (for example "only replies to tracked email" and the message correlates to nothing, or correlation is turned off).',
    meaning: 'The email is ordinary mail the recipients chose not to track.',
    fix: "Nothing, unless it should have been tracked: then widen the recipient's tracking option (for example to all email messages) or turn correlation on.",
  },
  {
    id: 'D3',
    rows: ['D3'],
    code: 'Duplicate',
    codeDocumented: true,
    channel: 'item',
    itemWorkload: 'incoming',
    level: 'information',
    failure: 'none',
    template:
      'The incoming email "{emailSubject}" in the mailbox {mailboxName} wasn\'t tracked again because an email with the same Message-ID is already tracked.',
    placeholders: ['emailSubject', 'mailboxName'],
    text: 'own',
    when: "A message's Message-ID is already tracked (another recipient's mailbox or queue got it first).",
    meaning: 'One email becomes one activity, however many mailboxes receive it.',
    fix: 'Nothing. To see the tracked email, search activities by its Message-ID.',
  },
  {
    id: 'D4',
    rows: ['D4'],
    code: 'InternalEmailReject',
    codeDocumented: true,
    channel: 'item',
    itemWorkload: 'incoming',
    level: 'information',
    failure: 'none',
    template:
      'The incoming email "{emailSubject}" in the mailbox {mailboxName} wasn\'t tracked because it was sent by another user of {product} and the organization doesn\'t track email between users as two activities.',
    placeholders: ['emailSubject', 'mailboxName', 'product'],
    text: 'own',
    when: 'Sender and recipient are both users and the organization setting "track internal email as two activities" is off.',
    meaning: "The sender's copy is the one activity for this email.",
    fix: 'Nothing, or turn on "track internal email as two activities" to also get the recipient\'s copy.',
  },
  // ------------------------------------------------------------ E. Appointments, contacts and tasks
  {
    id: 'E1',
    rows: ['E1', 'D7'],
    code: 'ExchangeSyncSchedulingConflictsError',
    codeDocumented: true,
    channel: 'item',
    itemWorkload: 'act',
    level: 'warning',
    failure: 'none',
    template:
      'A scheduling conflict was found when saving appointment {itemName} from Exchange to {product} because {principalName} is unavailable at this time. Do you want to ignore the conflict and save anyway?',
    placeholders: ['itemName', 'product', 'principalName'],
    text: 'verbatim',
    when: 'An appointment from the calendar (new, or moved to another time) overlaps another appointment of the mailbox owner that books time (busy, tentative or out of office). Series on either side are compared occurrence by occurrence over the year from its start (removed occurrences do not count; moved ones count at their new time).',
    meaning:
      'A decision alert: the appointment waits, neither created nor changed, until someone answers. It is asked once per version of the item.',
    fix: 'Answer Yes on the alert (its Yes button in the console, or POST /api/alerts/<alert id>/decision) to save it anyway on the next cycle, or No to leave it out; a later change of the item on the server asks again.',
    note: 'The reference\'s "Exchange" names the server side; for Mailroom it is the CalDAV server. Also the item-level row D7 (the same code on the failed-items view).',
  },
  {
    id: 'E2',
    rows: ['E2'],
    code: 'ExchangeSyncDuplicateRecordsError',
    codeDocumented: true,
    channel: 'item',
    itemWorkload: 'act',
    level: 'warning',
    failure: 'none',
    template:
      'One or more duplicate records were found in {product} when saving item "{itemName}" from Exchange to {product}. Do you want to continue and create a duplicate record anyway?',
    placeholders: ['product', 'itemName'],
    text: 'verbatim',
    when: 'A new contact in the address book has an email address (any of three) that a contact in Mailroom already has.',
    meaning:
      'A decision alert: the contact is not created until someone answers. It is asked once per version of the item.',
    fix: 'Answer Yes on the alert (its Yes button in the console, or POST /api/alerts/<alert id>/decision) to create it anyway on the next cycle, or No to leave it out; a later change of the card on the server asks again.',
    note: 'Duplicate detection is a match on email address. The reference\'s "Exchange" names the server side; for Mailroom it is the CardDAV server.',
  },
  {
    id: 'E5',
    rows: ['E5'],
    code: 'ErrorIrresolvableConflict',
    codeDocumented: true,
    channel: 'act',
    level: 'warning',
    failure: 'transient',
    template: ACT_TRY_AGAIN,
    details:
      "The operation can't be performed because the item is out of date. Reload the item and try again.",
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: 'The CalDAV/CardDAV server refuses a change because the item changed on the server meanwhile (412 Precondition Failed on an If-Match write).',
    meaning:
      'Someone edited the same item at the same time; the next cycle reads the new version and applies the change again.',
    fix: 'Nothing if it clears in the next cycle.',
  },
  {
    id: 'E6',
    rows: ['E6'],
    code: 'Crm.80040216. An unexpected error occurred.',
    codeDocumented: true,
    serverErrorCode: 'Crm.80040216. An unexpected error occurred.',
    channel: 'item',
    itemWorkload: 'act',
    level: 'error',
    failure: 'transient',
    template:
      'An error occurred while synchronizing the item {itemName} from {product} for the mailbox {mailboxName}.',
    placeholders: ['itemName', 'product', 'mailboxName'],
    text: 'verbatim',
    when: 'Writing one appointment, task or contact from Mailroom to the calendar or address book fails unexpectedly (the server answers 5xx or an error not covered elsewhere).',
    meaning: 'One item is at fault; it is retried with the item retry limit.',
    fix: 'Nothing if it clears; otherwise the server reply is in the details.',
  },
  {
    id: 'E7',
    rows: ['E7'],
    code: 'AppointmentOrganizerMissing',
    codeDocumented: false,
    channel: 'item',
    itemWorkload: 'act',
    level: 'error',
    failure: 'permanent',
    template: "Appointments can't be synchronized because the Organizer field isn't present.",
    placeholders: [],
    text: 'verbatim',
    when: 'An appointment with attendees has no organizer, so it cannot be written as a scheduling object (iCalendar requires ORGANIZER with ATTENDEE).',
    meaning: 'This appointment is skipped until it gets an organizer.',
    fix: 'Set the organizer of the appointment (the alert links to it); the next cycle synchronizes it.',
    note: 'The reference gives no code.',
  },
  // ------------------------------------------------------------ F. Outgoing email
  {
    id: 'F3',
    rows: ['F3'],
    code: 'GeneralOutgoingEmailServerError',
    codeDocumented: true,
    channel: 'outgoing',
    level: 'error',
    failure: 'transient',
    template:
      'An unexpected error occurred while sending the email message "{emailSubject}". Mailbox {mailboxName} didn\'t synchronize. The owner of the associated email server profile {profileName} has been notified.',
    placeholders: ['emailSubject', 'mailboxName', 'profileName'],
    text: 'verbatim',
    when: "Sending fails with an error that matches no other entry (the classifier's fallback for outgoing); the email stays Pending Send.",
    meaning: 'Unexpected; the email is tried again in the next cycle.',
    fix: 'Nothing if it clears; if it persists, report it with the alert details.',
  },
  {
    id: 'F4',
    rows: ['F4'],
    code: 'Smtp server returned GeneralOutgoingEmailServerError GeneralFailure exception.',
    codeDocumented: true,
    serverErrorCode: 'Smtp server returned GeneralOutgoingEmailServerError GeneralFailure exception.',
    channel: 'outgoing',
    level: 'warning',
    failure: 'transient',
    template:
      'An unexpected error occurred while sending the email message "{emailSubject}" through the mailbox {mailboxName}. The owner of the associated email server profile {profileName} has been notified. The system will try to send the message again later.',
    placeholders: ['emailSubject', 'mailboxName', 'profileName'],
    text: 'verbatim',
    when: 'The SMTP server answers with a temporary (4xx) reply: a sending limit or rate limit reached, greylisting, a full queue, or 421 service not available. The email stays Pending Send.',
    meaning: 'The server asks to try later; sending resumes with backoff.',
    fix: 'Nothing if it clears; if sending limits are hit often, spread the sending or raise the limit with the provider. The SMTP reply is in the details.',
    note: "The reference's template shows the subject placeholder without quotes; Mailroom quotes subjects everywhere.",
  },
  {
    id: 'F5',
    rows: ['F5'],
    code: 'Web server returned SendFailure exception.',
    codeDocumented: true,
    serverErrorCode: 'Web server returned SendFailure exception.',
    channel: 'outgoing',
    level: 'warning',
    failure: 'transient',
    template: OUTGOING_CONNECT,
    placeholders: MBX_PROFILE,
    text: 'verbatim',
    when: 'The connection to the SMTP server was open and then closed or reset before the server accepted the message.',
    meaning:
      'The message was not accepted; it is sent again in the next cycle (the server did not take it, so it is not duplicated).',
    fix: 'Nothing if it clears; if it persists, check the server logs for why it drops connections.',
  },
  {
    id: 'F7',
    rows: ['F7'],
    code: 'SendAsPrivilegeDenied',
    codeDocumented: false,
    channel: 'item',
    itemWorkload: 'outgoing',
    level: 'error',
    failure: 'permanent',
    template:
      'You cannot send email as the selected user. The selected user has not allowed this or you do not have sufficient privileges to do so. Contact your system administrator for assistance.',
    details: 'User does not have send-as privilege.',
    placeholders: [],
    text: 'verbatim',
    when: "An email is to be sent in the name of a user other than the one sending it, and the sender (or the owner of the sending mailbox) lacks Send Email as Another User (prvSendAsUser) at a depth that reaches that user's business unit.",
    meaning: "Sending in someone else's name needs that explicit grant; the email is not sent.",
    fix: 'Grant prvSendAsUser at a depth that reaches the other user (docs/security.md), then send again.',
    note: 'The reference gives no code; the details line is its log text.',
  },
  // ------------------------------------------------------------ G. Adjacent
  {
    id: 'G14',
    rows: ['G14'],
    code: 'EncryptedMessage',
    codeDocumented: false,
    channel: 'item',
    itemWorkload: 'incoming',
    level: 'information',
    failure: 'none',
    template:
      'The incoming email "{emailSubject}" in the mailbox {mailboxName} is encrypted, so {product} can\'t read its body or attachments.',
    placeholders: ['emailSubject', 'mailboxName', 'product'],
    text: 'own',
    when: 'An incoming message is S/MIME- or PGP-encrypted (or a certified-mail envelope whose content is encrypted).',
    meaning: 'Mailroom does not decrypt mail; whatever it tracks of the message has no readable content.',
    fix: 'Nothing; read the message in a mail client that holds the key.',
    note: 'The reference documents the behaviour but no alert or code.',
  },

  // =========================================================== Mailroom's own codes
  ...perChannel(
    'MR1',
    'MailroomTlsCertificateUntrusted',
    'error',
    'permanent',
    {
      incoming:
        'Email cannot be received for the mailbox {mailboxName} because the certificate of the email server {serverHost} could not be validated: {tlsReason}. The mailbox has been disabled for receiving email and the owner of the email server profile {profileName} has been notified.',
      outgoing:
        'Email cannot be sent for the mailbox {mailboxName} because the certificate of the email server {serverHost} could not be validated: {tlsReason}. The mailbox has been disabled for sending email and the owner of the email server profile {profileName} has been notified.',
      act: "Appointments, contacts, and tasks can't be synchronized for the mailbox {mailboxName} because the certificate of the server {serverHost} could not be validated: {tlsReason}. The mailbox has been disabled for appointments, contacts, and tasks synchronization and the owner of the email server profile {profileName} has been notified.",
    },
    ['mailboxName', 'serverHost', 'tlsReason', 'profileName'],
    {
      when: "The server's TLS certificate is not trusted: self-signed or from an unknown authority, expired, not yet valid, or issued for another host name.",
      meaning:
        'Mailroom cannot be sure it talks to the real server, so it sends no password and reads no mail.',
      fix: 'Install a certificate from a trusted authority for exactly the host name in the profile, or start Mailroom with NODE_EXTRA_CA_CERTS naming the certificate of the issuing authority; then run Test & Enable.',
    },
  ),
  {
    id: 'MR2',
    rows: [],
    code: 'MailroomSecureConnectionFailed',
    codeDocumented: false,
    channel: 'act',
    level: 'error',
    failure: 'permanent',
    template:
      "Appointments, contacts, and tasks can't be synchronized for the mailbox {mailboxName} because an error occurred while establishing a secure connection to the server {serverHost}. The mailbox has been disabled for appointments, contacts, and tasks synchronization and the owner of the email server profile {profileName} has been notified.",
    placeholders: ['mailboxName', 'serverHost', 'profileName'],
    text: 'own',
    when: 'The TLS handshake with the CalDAV/CardDAV server fails for a reason other than its certificate (MR1-act): an https URL on a plain-text port, no common protocol version or cipher.',
    meaning: 'The ACT counterpart of A33 (incoming) and A19 (outgoing).',
    fix: 'Check the URL scheme and port of the CalDAV/CardDAV profile and the TLS settings of the server.',
  },
  ...perChannel(
    'MR3',
    'MailroomConnectionDropped',
    'warning',
    'transient',
    {
      incoming:
        'The connection to the email server was lost while receiving email through the mailbox {mailboxName}. The owner of the associated email server profile {profileName} has been notified. The system will try to receive email again later.',
      act: 'The connection to the server was lost while synchronizing appointments, contacts, and tasks for the mailbox {mailboxName}. The owner of the associated email server profile {profileName} has been notified. The system will try again later.',
    },
    ['mailboxName', 'profileName'],
    {
      when: 'An established connection is closed or reset by the server or the network in the middle of a cycle (for sending, F5 applies).',
      meaning:
        'The cycle stopped part-way; what was already stored is kept and the rest is fetched next time, without duplicates.',
      fix: 'Nothing if it clears; if it persists, check the server logs and any idle-timeout on firewalls or load balancers.',
    },
  ),
  {
    id: 'MR4-in',
    rows: [],
    code: 'MailroomMessageTooLarge',
    codeDocumented: false,
    channel: 'item',
    itemWorkload: 'incoming',
    level: 'warning',
    failure: 'none',
    template:
      'The incoming email "{emailSubject}" in the mailbox {mailboxName} wasn\'t tracked because its size ({sizeKb} KB) is over the limit of {limitKb} KB set for the organization.',
    placeholders: ['emailSubject', 'mailboxName', 'sizeKb', 'limitKb'],
    text: 'own',
    when: "A message is larger than the organization's maximum incoming message size.",
    meaning: 'The message stays in the mailbox but is not tracked.',
    fix: 'Raise the maximum incoming message size in the organization settings if such messages must be tracked; lowering the Process Email From date and running Test & Enable picks it up again.',
  },
  {
    id: 'MR4-out',
    rows: [],
    code: 'MailroomMessageTooLarge',
    codeDocumented: false,
    channel: 'item',
    itemWorkload: 'outgoing',
    level: 'error',
    failure: 'permanent',
    template:
      'The email message "{emailSubject}" cannot be sent through the mailbox {mailboxName} because the email server doesn\'t accept messages of its size ({sizeKb} KB). The email has been marked as failed.',
    placeholders: ['emailSubject', 'mailboxName', 'sizeKb'],
    text: 'own',
    when: 'The message is larger than the SIZE the SMTP server announces, or the server rejects it with 552 (message too large).',
    meaning: 'The server will never take this message as it is.',
    fix: "Send smaller attachments (or links to them), or raise the server's message size limit; then send a new email.",
  },
  {
    id: 'MR5',
    rows: [],
    code: 'MailroomMalformedMessage',
    codeDocumented: false,
    channel: 'item',
    itemWorkload: 'incoming',
    level: 'warning',
    failure: 'permanent',
    template:
      "The incoming message {itemReference} in the mailbox {mailboxName} can't be tracked because it isn't a valid email message: {parseError}. It won't be tried again.",
    placeholders: ['itemReference', 'mailboxName', 'parseError'],
    text: 'own',
    when: 'A message cannot be parsed as MIME (broken structure, undecodable headers) well enough to create an email.',
    meaning: 'One damaged message; the rest of the mailbox is processed normally.',
    fix: 'Open the message on the server (the reference is its UID) and forward a readable copy if it matters; otherwise nothing.',
  },
  {
    id: 'MR6',
    rows: [],
    code: 'MailroomMalformedICalendar',
    codeDocumented: false,
    channel: 'item',
    itemWorkload: 'act',
    level: 'warning',
    failure: 'permanent',
    template:
      "The calendar item {itemReference} of the mailbox {mailboxName} can't be synchronized because it isn't valid iCalendar data: {parseError}. It won't be tried again until it changes on the server.",
    placeholders: ['itemReference', 'mailboxName', 'parseError'],
    text: 'own',
    when: 'An event or task on the CalDAV server cannot be parsed as iCalendar (or has no VEVENT/VTODO, or an unknown time zone without definition).',
    meaning: 'One damaged item; the rest of the calendar is synchronized normally.',
    fix: 'Edit or re-create the item in a calendar client; the changed item is read again.',
  },
  {
    id: 'MR7',
    rows: [],
    code: 'MailroomMalformedVCard',
    codeDocumented: false,
    channel: 'item',
    itemWorkload: 'act',
    level: 'warning',
    failure: 'permanent',
    template:
      "The contact {itemReference} of the mailbox {mailboxName} can't be synchronized because it isn't valid vCard data: {parseError}. It won't be tried again until it changes on the server.",
    placeholders: ['itemReference', 'mailboxName', 'parseError'],
    text: 'own',
    when: 'A contact on the CardDAV server cannot be parsed as a vCard.',
    meaning: 'One damaged contact; the rest of the address book is synchronized normally.',
    fix: 'Edit or re-create the contact in an address book client; the changed contact is read again.',
  },
  {
    id: 'MR8',
    rows: [],
    code: 'MailroomOutgoingMessageRejected',
    codeDocumented: false,
    channel: 'item',
    itemWorkload: 'outgoing',
    level: 'error',
    failure: 'permanent',
    template:
      'The email message "{emailSubject}" cannot be sent through the mailbox {mailboxName} because the email server rejected it: {smtpReply}. The email has been marked as failed.',
    placeholders: ['emailSubject', 'mailboxName', 'smtpReply'],
    text: 'own',
    when: 'The SMTP server rejects the message with a permanent (5xx) reply other than for authentication or size: all recipients refused, sender address not allowed for this account, content rejected as spam.',
    meaning:
      'Sending it again unchanged would fail again, so the email is marked Failed; the mailbox keeps sending other email.',
    fix: 'Read the SMTP reply: correct the recipients, use a sender address the account may use, or change the content; then send a new email.',
  },
  {
    id: 'MR9',
    rows: [],
    code: 'MailroomRecipientsRejected',
    codeDocumented: false,
    channel: 'item',
    itemWorkload: 'outgoing',
    level: 'warning',
    failure: 'none',
    template:
      'The email message "{emailSubject}" was sent through the mailbox {mailboxName}, but the email server refused these recipients: {recipients}.',
    placeholders: ['emailSubject', 'mailboxName', 'recipients'],
    text: 'own',
    when: 'The SMTP server accepted the message for some recipients and refused others (5xx to RCPT TO).',
    meaning: 'The email is Sent; the listed recipients did not get it.',
    fix: 'Check the refused addresses and send them a new email if needed.',
  },
  {
    id: 'MR10',
    rows: [],
    code: 'MailroomInvalidOutgoingEmailServerProfile',
    codeDocumented: false,
    channel: 'outgoing',
    level: 'error',
    failure: 'permanent',
    template:
      'Email cannot be sent because the mailbox {mailboxName} does not have an email server profile associated with it or the email server profile is inactive.',
    placeholders: ['mailboxName'],
    text: 'own',
    when: 'As A1, for the outgoing channel.',
    meaning: 'The outgoing counterpart of A1 (the reference documents only the incoming one).',
    fix: "Set the mailbox's email server profile, or activate it; then run Test & Enable.",
  },
  {
    id: 'MR11',
    rows: [],
    code: 'MailroomInvalidActEmailServerProfile',
    codeDocumented: false,
    channel: 'act',
    level: 'error',
    failure: 'permanent',
    template:
      "Appointments, contacts, and tasks can't be synchronized because the mailbox {mailboxName} does not have an email server profile associated with it or the email server profile is inactive.",
    placeholders: ['mailboxName'],
    text: 'own',
    when: 'As A1, for appointments, contacts and tasks.',
    meaning: 'The ACT counterpart of A1.',
    fix: "Set the mailbox's CalDAV/CardDAV profile, or activate it; then run Test & Enable.",
  },
  ...perChannel(
    'MR12',
    'MailroomProfileTypeNotSupported',
    'error',
    'permanent',
    {
      incoming:
        "Email cannot be received for the mailbox {mailboxName} because its email server profile {profileName} is of type {profileType}, which doesn't receive email. The mailbox has been disabled for receiving email.",
      outgoing:
        "Email cannot be sent for the mailbox {mailboxName} because its email server profile {profileName} is of type {profileType}, which doesn't send email. The mailbox has been disabled for sending email.",
      act: "Appointments, contacts, and tasks can't be synchronized for the mailbox {mailboxName} because its email server profile {profileName} is of type {profileType}, which doesn't synchronize appointments, contacts, and tasks. The mailbox has been disabled for appointments, contacts, and tasks synchronization.",
    },
    ['mailboxName', 'profileName', 'profileType'],
    {
      when: 'The channel is set to server-side synchronization but the profile type cannot serve it (IMAP/SMTP and POP3/SMTP profiles serve email; CalDAV/CardDAV profiles serve ACT).',
      meaning: 'The mailbox settings ask for something its profile cannot do.',
      fix: 'Give the mailbox a profile of the right type for that channel, or set the channel to None; then run Test & Enable.',
    },
  ),
  ...perChannel(
    'MR13',
    'MailroomPrivilegeDenied',
    'error',
    'transient',
    {
      incoming:
        "Email can't be received through the mailbox {mailboxName} because the mailbox owner {principalName} doesn't have the {privilegeName} privilege. The owner of the associated email server profile {profileName} has been notified. The system will try to receive email again later.",
    },
    ['mailboxName', 'principalName', 'privilegeName', 'profileName'],
    {
      when: 'An incoming cycle is refused a privilege the mailbox owner needs (creating the email, reading contacts, adding to the queue…) while the owner does hold roles (otherwise C1) and the missing grant is not read on queues (otherwise C6).',
      meaning:
        'Email is created on behalf of the owner; the named privilege is missing or does not reach far enough. Messages stay on the server and are retried.',
      fix: FIX_PRIVILEGES,
    },
  ),
  {
    id: 'MR13-out',
    rows: [],
    code: 'MailroomPrivilegeDenied',
    codeDocumented: false,
    channel: 'outgoing',
    level: 'error',
    failure: 'permanent',
    template:
      "Email can't be sent for the mailbox {mailboxName} because the mailbox owner {principalName} doesn't have the {privilegeName} privilege. The mailbox has been disabled for sending email and the owner of the email server profile {profileName} has been notified.",
    placeholders: ['mailboxName', 'principalName', 'privilegeName', 'profileName'],
    text: 'own',
    when: 'Test & Enable or an outgoing cycle finds that the mailbox owner lacks a privilege sending needs (reading the emails to send, marking them Sent); send-as is F7.',
    meaning: 'Outgoing email is read and updated on behalf of the owner.',
    fix: FIX_PRIVILEGES,
  },
  {
    id: 'MR14',
    rows: [],
    code: 'MailroomOwnerWithoutRoles',
    codeDocumented: false,
    channel: 'outgoing',
    level: 'error',
    failure: 'permanent',
    template:
      "Email can't be sent for the mailbox {mailboxName} because the mailbox owner {principalName} has no security role. The mailbox has been disabled for sending email and the owner of the email server profile {profileName} has been notified.",
    placeholders: ['mailboxName', 'principalName', 'profileName'],
    text: 'own',
    when: 'Test & Enable or an outgoing cycle finds that the mailbox owner holds no security role (incoming: C1; ACT: A5).',
    meaning: 'An owner without roles has no privileges at all.',
    fix: 'Assign a security role to the owner (for a queue owned by a team: to the team), then run Test & Enable.',
  },
  ...perChannel(
    'MR15',
    'MailroomDisabledAfterRepeatedFailures',
    'error',
    'permanent',
    {
      incoming:
        "Email can't be received for the mailbox {mailboxName} because the last {failureCount} attempts failed (the last error was {lastErrorCode}). The mailbox has been disabled for receiving email and the owner of the email server profile {profileName} has been notified.",
      outgoing:
        "Email can't be sent for the mailbox {mailboxName} because the last {failureCount} attempts failed (the last error was {lastErrorCode}). The mailbox has been disabled for sending email and the owner of the email server profile {profileName} has been notified.",
      act: "Appointments, contacts, and tasks can't be synchronized for the mailbox {mailboxName} because the last {failureCount} attempts failed (the last error was {lastErrorCode}). The mailbox has been disabled for appointments, contacts, and tasks synchronization and the owner of the email server profile {profileName} has been notified.",
    },
    ['mailboxName', 'failureCount', 'lastErrorCode', 'profileName'],
    {
      when: "A channel failed with transient errors in as many consecutive cycles as the organization's transient failure limit allows (the reference: 10 attempts, 5 minutes apart).",
      meaning:
        'A "temporary" problem did not go away, so Mailroom stops trying; the alert of the last error says what it was.',
      fix: 'Fix the cause named by the last error, then run Test & Enable.',
    },
  ),
  ...perChannel(
    'MR16',
    'MailroomCredentialsUnreadable',
    'error',
    'permanent',
    {
      incoming:
        "Email can't be received for the mailbox {mailboxName} because the stored password can't be decrypted with the configured secret key. The mailbox has been disabled for receiving email and the owner of the email server profile {profileName} has been notified.",
      outgoing:
        "Email can't be sent for the mailbox {mailboxName} because the stored password can't be decrypted with the configured secret key. The mailbox has been disabled for sending email and the owner of the email server profile {profileName} has been notified.",
      act: "Appointments, contacts, and tasks can't be synchronized for the mailbox {mailboxName} because the stored password can't be decrypted with the configured secret key. The mailbox has been disabled for appointments, contacts, and tasks synchronization and the owner of the email server profile {profileName} has been notified.",
    },
    ['mailboxName', 'profileName'],
    {
      when: 'The password stored in the profile or the mailbox was encrypted with another secret key than the one Mailroom runs with.',
      meaning:
        'MAILROOM_SECRET_KEY changed or was lost; stored passwords cannot be recovered without the old key.',
      fix: 'Start Mailroom with the original MAILROOM_SECRET_KEY, or enter the passwords again; then run Test & Enable.',
    },
  ),
  {
    id: 'MR17',
    rows: [],
    code: 'MailroomFailedItemsFolderMissing',
    codeDocumented: false,
    channel: 'incoming',
    level: 'warning',
    failure: 'none',
    template:
      "The folder {folderName} that the email server profile {profileName} names for emails that can't be tracked doesn't exist in the mailbox {mailboxName}. Such emails stay where they are.",
    placeholders: ['folderName', 'profileName', 'mailboxName'],
    text: 'own',
    when: "A parked message (C16) should move to the profile's folder for failed items, and the IMAP server has no folder of that name.",
    meaning: 'Parking still works; only the move is skipped.',
    fix: 'Create the folder in the mailbox, or correct its name in the profile.',
  },
  {
    id: 'MR18',
    rows: [],
    code: 'MailroomUidValidityChanged',
    codeDocumented: false,
    channel: 'incoming',
    level: 'information',
    failure: 'none',
    template:
      'The email server renumbered the messages in the Inbox of the mailbox {mailboxName}. {product} read the Inbox again; emails already tracked were recognized by their Message-ID and not tracked twice.',
    placeholders: ['mailboxName', 'product'],
    text: 'own',
    when: 'The IMAP server reports a new UIDVALIDITY for the Inbox (the mailbox was restored, rebuilt or moved).',
    meaning:
      "The server's message numbers no longer match Mailroom's position, so it starts over from the Process Email From date.",
    fix: 'Nothing.',
  },
  {
    id: 'MR19',
    rows: [],
    code: 'MailroomPop3UidlNotSupported',
    codeDocumented: false,
    channel: 'incoming',
    level: 'error',
    failure: 'permanent',
    template:
      "Email cannot be received for the mailbox {mailboxName} because the POP3 server {serverHost} doesn't support the UIDL command, which {product} needs to recognize messages it has already processed. The mailbox has been disabled for receiving email and the owner of the email server profile {profileName} has been notified.",
    placeholders: ['mailboxName', 'serverHost', 'product', 'profileName'],
    text: 'own',
    when: 'The POP3 server does not answer UIDL (CAPA does not list it and the command fails).',
    meaning: 'Without stable message ids Mailroom cannot receive each message exactly once.',
    fix: 'Enable UIDL on the server, or use an IMAP/SMTP profile.',
  },
  {
    id: 'MR20',
    rows: [],
    code: 'MailroomActCollectionReadOnly',
    codeDocumented: false,
    channel: 'act',
    level: 'error',
    failure: 'permanent',
    template:
      "Appointments, contacts, and tasks can't be synchronized for the mailbox {mailboxName} because {collectionName} on the server can't be changed with the credentials in use. The mailbox has been disabled for appointments, contacts, and tasks synchronization and the owner of the email server profile {profileName} has been notified.",
    placeholders: ['mailboxName', 'collectionName', 'profileName'],
    text: 'own',
    when: 'Test & Enable or an ACT cycle is refused a write in the calendar or address book (403 Forbidden, or the collection lacks write privileges for this account).',
    meaning: 'Synchronization is two-way, so Mailroom needs to write as well as read.',
    fix: 'Give the account write access to its calendar and address book on the server (or use the account that owns them), then run Test & Enable.',
  },
  {
    id: 'MR21',
    rows: [],
    code: 'MailroomProfileTestFailed',
    codeDocumented: false,
    channel: 'profile',
    level: 'error',
    failure: 'none',
    template:
      'The connection test of the email server profile {profileName} failed for {workload}: {reason}.',
    placeholders: ['profileName', 'workload', 'reason'],
    text: 'own',
    when: "The profile's connection test fails for a reason other than refused credentials (B1): the server cannot be reached, times out, or the TLS handshake fails.",
    meaning: 'A test result only; no mailbox changes state.',
    fix: 'Follow the reason: correct host, port or TLS mode, and test again.',
  },
  {
    id: 'MR22',
    rows: [],
    code: 'MailroomProfileTestSucceeded',
    codeDocumented: false,
    channel: 'profile',
    level: 'information',
    failure: 'none',
    template: 'The connection test of the email server profile {profileName} succeeded for {workload}.',
    placeholders: ['profileName', 'workload'],
    text: 'own',
    when: "The profile's connection test succeeds for a workload.",
    meaning:
      'The server was reached, the TLS handshake and (when the profile holds credentials) the login succeeded.',
    fix: 'Nothing.',
  },
  ...perChannel(
    'MR23',
    'MailroomMailboxEnabled',
    'information',
    'none',
    {
      incoming: 'The mailbox {mailboxName} has been tested and enabled for receiving email.',
      outgoing:
        'The mailbox {mailboxName} has been tested and enabled for sending email. The test message "{emailSubject}" was sent to {emailAddress}.',
      act: 'The mailbox {mailboxName} has been tested and enabled for synchronizing appointments, contacts, and tasks.',
    },
    ['mailboxName'],
    {
      when: 'Test & Enable succeeds for a channel (the reference posts a success alert to the mailbox owner but documents no text).',
      meaning: 'The channel is enabled and its status is Success; open alerts of that channel are resolved.',
      fix: 'Nothing.',
    },
  ),
];

/**
 * One entry per channel, ids `${base}-in`, `-out`, `-act`. Placeholders are
 * the shared ones plus any others a variant's template uses.
 */
function perChannel(
  base: string,
  code: string,
  level: AlertLevel,
  failure: FailureClass,
  templates: Partial<Record<'incoming' | 'outgoing' | 'act', string>>,
  shared: readonly Placeholder[],
  texts: { when: string; meaning: string; fix: string },
): AlertCatalogueEntry[] {
  const suffix = { incoming: 'in', outgoing: 'out', act: 'act' } as const;
  return (['incoming', 'outgoing', 'act'] as const).flatMap((channel) => {
    const template = templates[channel];
    if (template === undefined) return [];
    const used = [...template.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1] as Placeholder);
    const placeholders = [...new Set([...shared.filter((p) => used.includes(p)), ...used])];
    return [
      {
        id: `${base}-${suffix[channel]}`,
        rows: [],
        code,
        codeDocumented: false,
        channel,
        level,
        failure,
        template,
        placeholders,
        text: 'own' as const,
        ...texts,
      },
    ];
  });
}

// ---------------------------------------------------------------------------
// Rows that do not apply

const EXCHANGE_ONLY = 'Exchange Online / Exchange Web Services only';

export const NOT_APPLICABLE: readonly NotApplicableRow[] = [
  {
    id: 'A6',
    code: '8005E259',
    reason: `${EXCHANGE_ONLY}: a bare Test & Enable result code without a message. Missing privileges of the owner (user or team) are reported by A2–A5, C1, C6, MR13 and MR14, which name the privilege.`,
  },
  {
    id: 'A7',
    code: '8005E272',
    reason: `${EXCHANGE_ONLY}: the profile's account is not authorized for Exchange. Refused profile credentials are A26 (sync) and B1 (profile test).`,
  },
  {
    id: 'A8',
    code: '8005E273',
    reason:
      'Microsoft Graph / Microsoft 365 tenant accounts do not exist in Mailroom. A disabled Mailroom user deactivates its mailbox, which A20 reports.',
  },
  {
    id: 'A9',
    code: '8005E274 MailboxNotEnabledForRESTAPI',
    reason: `${EXCHANGE_ONLY}: REST API enablement and Exchange licences.`,
  },
  {
    id: 'A10',
    code: '8005E276',
    reason: "Exchange licences and the reference system's user access modes have no counterpart in Mailroom.",
  },
  {
    id: 'A11',
    code: 'Test & Enable user lookup in a Microsoft 365 tenant (no code)',
    reason:
      'Mailroom does not look users up in a directory tenant; it logs in to the server with the configured credentials (A26, A27) and discovers calendars by address (A29-act).',
  },
  {
    id: 'A12-in',
    code: 'Http server returned 401 Unauthorized exception.',
    reason:
      "HTTP 401 from Exchange Web Services; IMAP and POP3 have no HTTP status. The same text is raised under A27-in's code when the server refuses the mailbox credentials.",
  },
  {
    id: 'A12-out',
    code: 'Http server returned 401 Unauthorized exception.',
    reason:
      "HTTP 401 from Exchange Web Services; SMTP has no HTTP status. The same text is raised under A27-out's code.",
  },
  {
    id: 'A13',
    code: 'Http server returned Forbidden exception.',
    reason: `${EXCHANGE_ONLY}: EWS access disabled for the mailbox or organization. TLS failures while sending are A19 and MR1-out.`,
  },
  {
    id: 'A14',
    code: 'Http server returned 404 NotFound exception.',
    reason: `${EXCHANGE_ONLY}: an EWS mailbox or profile-type mismatch (one of its texts names the Microsoft Exchange server). A missing calendar or address book on a CalDAV/CardDAV server is A29-act.`,
  },
  { id: 'A21', code: 'ErrorInvalidLicense', reason: 'Exchange Online licences; Mailroom has no licensing.' },
  {
    id: 'A22',
    code: 'IncomingEmailNoLicenseAssigned / OutgoingEmailNoLicenseAssigned',
    reason: "The reference system's own user licences and access modes; Mailroom has no licensing.",
  },
  {
    id: 'A23',
    code: 'OutgoingEmailS2SApprovalNeeded / IncomingEmailS2SApprovalNeeded / ExchangeSyncEmailS2SApprovalNeeded',
    reason:
      "Approval by an Office 365 administrator for Exchange Online server-to-server profiles. Mailroom's approval (an organization setting, approved by anyone holding prvApproveRejectEmailAddress) is reported by A24-in, A24-out and A24-act.",
  },
  {
    id: 'A24-m365',
    code: 'Approval missing, mailbox disabled (no code)',
    reason:
      'The row\'s wording that names "a Microsoft 365 administrator"; Mailroom uses the row\'s other, product-neutral wording (A24-in, A24-out).',
  },
  {
    id: 'A25',
    code: 'Autodiscover failure (no code)',
    reason: 'Exchange Autodiscover; Mailroom profiles name their hosts and ports explicitly.',
  },
  {
    id: 'A29-out',
    code: 'Exchange server returned ErrorInvalidOperation exception.',
    reason: `${EXCHANGE_ONLY}: "SendOnly cannot be used by a user without a mailbox". An invalid sending address is A28-out. (A29's incoming text is the same as A28-in's and is raised under that code; its ACT text is A29-act.)`,
  },
  {
    id: 'A30',
    code: 'Impersonation error (no code)',
    reason:
      'Exchange ApplicationImpersonation; Mailroom logs in to each server account with its own credentials.',
  },
  {
    id: 'A31',
    code: 'IncomingIncorrectCrmOrgError / OutgoingIncorrectCrmOrgError / ExchangeSyncIncorrectCrmOrgError',
    reason:
      'An Exchange mailbox claimed by another organization of the reference system (an org id stored in Exchange). Mailroom keeps no claim on the server; within one Mailroom, one address belongs to one mailbox (A34).',
  },
  {
    id: 'A32',
    code: 'Secure connection / Kiosk licence (no code)',
    reason:
      'Caused by an Exchange Online Kiosk licence, and its texts name neither the mailbox nor a non-Exchange server. TLS failures are A33 (incoming), A19 (outgoing), MR1 and MR2.',
  },
  {
    id: 'A36',
    code: 'Test & Enable shows Failure (no code)',
    reason:
      'Not an alert: the status a failed test leaves on the mailbox. Each failure raises its own alert from this catalogue.',
  },
  {
    id: 'B1-timeout',
    code: 'System.Net.WebException: The operation has timed out (no code)',
    reason:
      "A stack trace from the reference system's Exchange URL check, not a message. A profile test that times out is MR21.",
  },
  { id: 'B2', code: 'Impersonation (no code)', reason: 'Exchange ApplicationImpersonation (see A30).' },
  {
    id: 'B3',
    code: 'ErrorNonExistentMailbox (EWS)',
    reason: `${EXCHANGE_ONLY}: a user name in domain\\user form instead of a UPN, checked through an EWS impersonation request.`,
  },
  {
    id: 'B4',
    code: 'CrmSecurity approval failure (fault -2147220970 / -2147220906)',
    reason:
      'Approval in Mailroom needs only prvApproveRejectEmailAddress (no Microsoft 365 administrator role); a caller without it gets the API error MR_ERR_FORBIDDEN naming that privilege, not an alert.',
  },
  {
    id: 'C2',
    code: 'UnknownIncomingEmailIntegrationError -2147220891',
    reason:
      'IsvAborted: a synchronous plug-in or workflow aborted the record creation. Mailroom runs no custom code inside the transaction that creates records (webhooks are delivered after commit), so nothing can abort it.',
  },
  {
    id: 'C3',
    code: 'UnknownIncomingEmailIntegrationError -2147220956',
    reason:
      "IsvUnexpected: a custom plug-in or workflow failed (see C2). Failures of Mailroom's own record writing are C11.",
  },
  {
    id: 'C7',
    code: 'UnknownIncomingEmailIntegrationError -2147167669',
    reason:
      'The mailbox owner has no licence of the reference system; Mailroom has no licensing. Its second cause, another mailbox with the same address, is A34.',
  },
  {
    id: 'C14',
    code: 'Exchange server returned <n>',
    reason:
      'Generic EWS ServiceError numbers. Unclassified server errors are C4 (IMAP/POP3 replies), F4/MR8 (SMTP replies) and E6 (CalDAV/CardDAV).',
  },
  {
    id: 'C15',
    code: 'Sync workflow alert (no code)',
    reason: 'Mailroom has no synchronous workflows (see C2).',
  },
  { id: 'D5', code: 'IsvAborted', reason: 'The item-level form of C2, which does not apply.' },
  {
    id: 'E3',
    code: 'Exchange.server returned 383 error.',
    reason:
      'An EWS time-zone defect. Its text is the generic transient ACT text, which Mailroom uses for A15-act, A16-act and E5.',
  },
  {
    id: 'E4',
    code: 'Exchange.server returned 203 error.',
    reason: 'A benign EWS warning with no CalDAV/CardDAV counterpart.',
  },
  {
    id: 'E8',
    code: 'Appointment canceled or deleted unexpectedly (behaviour)',
    reason:
      "Not an alert: how deletes propagate when an item leaves the synchronization filter. Mailroom's delete rules are part of ACT synchronization.",
  },
  {
    id: 'E9',
    code: 'Appointments do not reach the server (behaviour)',
    reason:
      'Not an alert: the mailbox is not tested and enabled for ACT, or the item is outside the synchronization filter.',
  },
  {
    id: 'E10',
    code: 'ExchangeSyncIncorrectCrmOrgError',
    reason: 'A cross-reference to A31, which does not apply.',
  },
  {
    id: 'F1',
    code: 'ErrorQuotaExceeded. Exchange.server returned 403 error.',
    reason: `${EXCHANGE_ONLY}: a storage quota reported by EWS. An SMTP server's temporary refusal is F4, a permanent one MR8.`,
  },
  {
    id: 'F2',
    code: 'Exchange server returned UnknownOutgoingEmailIntegrationError ErrorSubmissionQuotaExceeded exception.',
    reason: `${EXCHANGE_ONLY}: the Exchange Online submission quota. Sending limits of an SMTP server are F4.`,
  },
  {
    id: 'F6',
    code: 'MailboxNotEnabledForRESTAPI. Exchange.server returned 404 error.',
    reason: `${EXCHANGE_ONLY}: an Exchange Online profile used for an on-premises mailbox.`,
  },
  {
    id: 'F8',
    code: 'Pending Send (no error)',
    reason:
      "Not an alert: the state of an email waiting for a mailbox that is not configured, approved or tested and enabled for outgoing; the mailbox's alerts (A1, A20, A24-out, …) say why.",
  },
  {
    id: 'G1',
    code: 'Outlook category "Tracked To Dynamics 365" enabled',
    reason:
      "Outlook categories and the reference system's category tracking; Mailroom tracks the Inbox of the server mailbox.",
  },
  {
    id: 'G2',
    code: 'Crm : IncomingEmailS2SApprovalNeeded (App for Outlook)',
    reason: "The reference system's Outlook add-in. Unapproved addresses are A24.",
  },
  {
    id: 'G3',
    code: 'Crm : IncomingEmailRejected (App for Outlook)',
    reason: "The reference system's Outlook add-in.",
  },
  {
    id: 'G4',
    code: 'SoapException : GeneralIncomingEmailServerError (App for Outlook)',
    reason: "The reference system's Outlook add-in with an unsupported Exchange version.",
  },
  {
    id: 'G5',
    code: 'Track and Set Regarding are currently disabled (App for Outlook)',
    reason: "The reference system's Outlook add-in.",
  },
  { id: 'G6', code: 'Track pending (App for Outlook)', reason: "The reference system's Outlook add-in." },
  {
    id: 'G7',
    code: "We can't open the app because the user's mailbox is inactive (App for Outlook)",
    reason: "The reference system's Outlook add-in. An inactive mailbox is A20.",
  },
  {
    id: 'G8',
    code: 'Fix mailbox errors in Dynamics 365 (Copilot for Sales)',
    reason:
      "A Copilot for Sales banner summarizing mailbox alerts; Mailroom's alerts are listed through its API and console.",
  },
  {
    id: 'G9',
    code: 'Update settings to save emails (Copilot for Sales)',
    reason: 'A Copilot for Sales banner; a disabled mailbox or missing profile is A20 or A1.',
  },
  {
    id: 'G10',
    code: 'Error saving the Exchange folder and Dynamics 365 mappings',
    reason: 'Exchange folder-level tracking; Mailroom tracks the Inbox only.',
  },
  {
    id: 'G11',
    code: 'prvReadOrganization (App for Outlook)',
    reason:
      "The reference system's Outlook add-in privilege list. Mailroom's own missing-privilege alerts are A3 and MR13.",
  },
  {
    id: 'G12',
    code: 'You are not part of this organization (sign-in)',
    reason:
      'Sign-in to the reference system through Microsoft Entra; API sign-in failures in Mailroom are MR_ERR_UNAUTHORIZED.',
  },
  {
    id: 'G13',
    code: '# SSSAdminProd identity',
    reason:
      "The reference system's service identity. Mailroom writes every record on behalf of the mailbox owner.",
  },
  {
    id: 'G15',
    code: 'Duplicate / unexpected tracking (behaviour)',
    reason:
      'Not an alert: how one address matching several records is resolved. The outcomes that are alerts are D1–D3.',
  },
  {
    id: 'G16',
    code: 'Emails not auto-tracked (checklist)',
    reason: 'Not an alert: a troubleshooting checklist whose outcomes are D1–D4, C16 and the mailbox alerts.',
  },
];

/** The catalogue row an id belongs to: `A12-act` → `A12`, `MR3-in` → `MR3`. */
export function rowOf(id: string): string {
  return id.split('-')[0] ?? id;
}

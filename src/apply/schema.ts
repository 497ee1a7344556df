/**
 * The format of a `mailroom apply` file (YAML or JSON): the desired state of
 * the organization settings, business units, security roles, users, teams,
 * email server profiles, queues and mailboxes, with records referred to by
 * name. Every object is strict, so a misspelt key is an error with its path.
 *
 * Field values follow the REST API (docs/api.md) except that ids are replaced
 * by names: `businessUnit` instead of `businessUnitId`, `owner: { team: X }`
 * instead of `ownerId` + `ownerType`, and so on. A field that is absent is not
 * managed (the record keeps whatever it has); `null` clears a field. Lists of
 * roles, members and privileges are the full desired set when present.
 *
 * See docs/apply.md for the whole format with an example.
 */
import { z } from 'zod';
import { organizationUpdateSchema } from '../organization/settings.js';
import { DEPTHS, parsePrivilegeKey } from '../security/catalogue.js';
import { incomingFoldersSchema } from '../sync/incoming/folders.js';

/** A name that refers to a record; trimmed the way the API trims names. */
const ref = z.string().trim().min(1).max(200);
const text = (max: number) => z.string().trim().min(1).max(max);
const emailAddress = z.email().max(254).nullable();
const host = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or an IP address');
const port = z.number().int().min(1).max(65535);
const tlsMode = z.enum(['none', 'starttls', 'implicit']);
const password = z.string().min(1).max(1024);
const state = z.enum(['active', 'inactive']);
/** Dates as ISO 8601 text; YAML dates (`2024-01-01`) arrive as text with the yaml package's core schema. */
const date = z.union([z.iso.datetime({ offset: true }), z.iso.date(), z.date()]).nullable();

/** Exactly one of the given keys, e.g. `{ user: alice }` or `{ team: Support Team }`. */
function oneOf<K extends string>(keys: readonly [K, ...K[]], what: string) {
  const shape = Object.fromEntries(keys.map((key) => [key, ref.optional()])) as Record<
    K,
    z.ZodOptional<typeof ref>
  >;
  return z
    .strictObject(shape)
    .superRefine((value, context) => {
      const given = keys.filter((key) => (value as Record<K, string | undefined>)[key] !== undefined);
      if (given.length !== 1) {
        context.addIssue({
          code: 'custom',
          message: `${what} must name exactly one of ${keys.map((key) => `${key}`).join(', ')} (e.g. { ${keys[0]}: NAME })`,
        });
      }
    })
    .transform((value) => {
      const key = keys.find(
        (candidate) => (value as Record<K, string | undefined>)[candidate] !== undefined,
      ) as K;
      return { type: key, name: (value as Record<K, string>)[key] };
    });
}

export const ownerReference = oneOf(['user', 'team'], 'owner');
export type OwnerReference = z.output<typeof ownerReference>;
export const mailboxSubject = oneOf(['user', 'queue'], 'for');
export type MailboxSubjectReference = z.output<typeof mailboxSubject>;

const privileges = z.record(z.string(), z.enum(DEPTHS)).superRefine((grants, context) => {
  for (const key of Object.keys(grants)) {
    if (!parsePrivilegeKey(key)) {
      context.addIssue({
        code: 'custom',
        path: [key],
        message: `unknown privilege '${key}' (use entity:right, e.g. mailbox:read, or special:sendAsUser)`,
      });
    }
  }
});

/** A list of names; the full desired set. Repeated names count once. */
const nameSet = z.array(ref).transform((names) => [...new Set(names)]);

// ---------------------------------------------------------------- sections

export const organizationSection = organizationUpdateSchema
  .omit({ defaultEmailServerProfileId: true })
  .extend({
    defaultEmailServerProfile: ref
      .nullable()
      .optional()
      .describe('the name of the email server profile new mailboxes get; null for none'),
  });

export const businessUnitItem = z.strictObject({
  name: text(200),
  parent: ref.optional().describe('the parent business unit; new units default to the root'),
  disabled: z.boolean().optional(),
});

export const roleItem = z.strictObject({
  name: text(200),
  description: z.string().max(2000).optional(),
  businessUnit: ref.optional().describe('new roles default to the root business unit'),
  memberInheritance: z.enum(['team', 'directUser']).optional(),
  privileges: privileges.optional().describe('the full desired set: grants not listed are removed'),
});

export const userItem = z.strictObject({
  username: text(200),
  name: text(200),
  emailAddress: emailAddress.optional(),
  businessUnit: ref.optional().describe('new users default to the root business unit'),
  disabled: z.boolean().optional(),
  allowSendAs: z.boolean().optional(),
  incomingEmailFilter: z
    .enum(['all', 'responsesToTrackedEmail', 'fromLeadsContactsAccounts', 'fromEmailEnabledRecords', 'none'])
    .optional(),
  roles: nameSet.optional().describe('the full desired set of security roles held directly'),
});

export const teamItem = z.strictObject({
  name: text(200),
  businessUnit: ref.optional().describe('new teams default to the root business unit'),
  teamType: z.enum(['owner', 'access']).optional().describe('set when the team is created; cannot change'),
  administrator: ref.nullable().optional().describe('username'),
  emailAddress: emailAddress.optional(),
  members: nameSet.optional().describe('usernames; the full desired set'),
  roles: nameSet.optional().describe('the full desired set of security roles'),
});

export const emailServerProfileItem = z.strictObject({
  name: text(100),
  serverType: z.enum(['imap-smtp', 'pop3-smtp', 'caldav-carddav']),
  incomingHost: host.nullable().optional(),
  incomingPort: port.optional().describe('omit for the standard port of the protocol and TLS mode'),
  incomingTls: tlsMode.optional(),
  outgoingHost: host.nullable().optional(),
  outgoingPort: port.optional(),
  outgoingTls: tlsMode.optional(),
  actUrl: z
    .url({ protocol: /^https?$/ })
    .nullable()
    .optional(),
  credentialSource: z.enum(['profile', 'mailbox']).optional(),
  incomingUsername: z.string().max(250).nullable().optional(),
  incomingPassword: password.nullable().optional().describe('write-only; use ${VAR}'),
  outgoingUsername: z.string().max(250).nullable().optional(),
  outgoingPassword: password.nullable().optional().describe('write-only; use ${VAR}'),
  useSameSettingsForOutgoing: z.boolean().optional(),
  tlsVerifyCertificates: z.boolean().optional(),
  processEmailReceivedAfter: date.optional(),
  minPollingIntervalMinutes: z.number().int().min(0).max(1440).optional(),
  maxConcurrentConnections: z.number().int().min(1).max(300).optional(),
  connectionTimeoutMs: z.number().int().min(1000).max(100000).optional(),
  moveFailedItemsFolder: z.string().max(250).nullable().optional(),
  useIdle: z.boolean().optional().describe('IMAP IDLE on the Inbox of each mailbox (default true)'),
  state: state.optional(),
  owner: ownerReference.optional().describe('new profiles default to the acting user'),
});

export const queueItem = z.strictObject({
  name: text(200),
  description: z.string().max(2000).optional(),
  emailAddress: emailAddress.optional(),
  queueViewType: z.enum(['public', 'private']).optional(),
  incomingEmailFilter: z
    .enum(['all', 'responsesToTrackedEmail', 'fromLeadsContactsAccounts', 'fromEmailEnabledRecords', 'none'])
    .optional(),
  owner: ownerReference.optional().describe('new queues default to the acting user'),
});

export const mailboxItem = z
  .strictObject({
    for: mailboxSubject.optional().describe('the mailbox of a user or queue (created with it)'),
    name: text(200).optional().describe('a standalone mailbox (e.g. a forward mailbox), identified by name'),
    emailAddress: emailAddress.optional(),
    isForwardMailbox: z.boolean().optional(),
    emailServerProfile: ref.nullable().optional(),
    incomingMethod: z.enum(['none', 'serverSideSync', 'forwardMailbox']).optional(),
    outgoingMethod: z.enum(['none', 'serverSideSync']).optional(),
    actMethod: z.enum(['none', 'serverSideSync']).optional(),
    deleteEmailsAfterProcessing: z.boolean().optional(),
    incomingFolders: incomingFoldersSchema.optional(),
    useIdle: z.boolean().nullable().optional().describe('IMAP IDLE for this mailbox; null follows the profile'),
    processEmailReceivedAfter: date.optional(),
    allowCredentialsUse: z.boolean().optional(),
    username: z.string().max(200).nullable().optional(),
    password: password.nullable().optional().describe('write-only; use ${VAR}'),
    state: state.optional(),
    owner: ownerReference
      .optional()
      .describe('standalone mailboxes only; new ones default to the acting user'),
  })
  .superRefine((item, context) => {
    if ((item.for === undefined) === (item.name === undefined)) {
      context.addIssue({
        code: 'custom',
        message:
          'a mailbox needs either for: { user: USERNAME } / { queue: NAME }, or the name of a standalone mailbox',
      });
    }
    if (item.for !== undefined) {
      for (const key of ['emailAddress', 'owner', 'isForwardMailbox'] as const) {
        if (item[key] !== undefined) {
          context.addIssue({
            code: 'custom',
            path: [key],
            message: `the ${key} of a ${item.for.type}'s mailbox follows the ${item.for.type}; set it there`,
          });
        }
      }
    }
    if (item.isForwardMailbox) {
      if (item.incomingMethod !== undefined && item.incomingMethod !== 'forwardMailbox') {
        context.addIssue({
          code: 'custom',
          path: ['incomingMethod'],
          message: 'must be forwardMailbox for a forward mailbox',
        });
      }
      for (const key of ['outgoingMethod', 'actMethod'] as const) {
        if (item[key] !== undefined && item[key] !== 'none') {
          context.addIssue({ code: 'custom', path: [key], message: 'must be none for a forward mailbox' });
        }
      }
    }
  });

export const applyDocumentSchema = z.strictObject({
  organization: organizationSection.optional(),
  businessUnits: z.array(businessUnitItem).optional(),
  roles: z.array(roleItem).optional(),
  users: z.array(userItem).optional(),
  teams: z.array(teamItem).optional(),
  emailServerProfiles: z.array(emailServerProfileItem).optional(),
  queues: z.array(queueItem).optional(),
  mailboxes: z.array(mailboxItem).optional(),
});

export type ApplyDocument = z.output<typeof applyDocumentSchema>;
export type OrganizationSection = z.output<typeof organizationSection>;
export type BusinessUnitItem = z.output<typeof businessUnitItem>;
export type RoleItem = z.output<typeof roleItem>;
export type UserItem = z.output<typeof userItem>;
export type TeamItem = z.output<typeof teamItem>;
export type EmailServerProfileItem = z.output<typeof emailServerProfileItem>;
export type QueueItem = z.output<typeof queueItem>;
export type MailboxItem = z.output<typeof mailboxItem>;

/** The sections in the order they are applied (each only refers to sections before it). */
export const SECTION_ORDER = [
  'businessUnits',
  'roles',
  'users',
  'teams',
  'emailServerProfiles',
  'organization',
  'queues',
  'mailboxes',
] as const;

/**
 * Raising and resolving alerts. An alert is one catalogue entry rendered for
 * one mailbox (or profile, or item); a repeat of an open alert folds into it
 * (count and last-seen move) instead of piling up, and the alerts of a channel
 * resolve themselves when that channel next succeeds.
 *
 * Who sees an alert: it belongs to the mailbox owner, and the owner of the
 * mailbox's email server profile sees it too. Profile-level alerts (no
 * mailbox) belong to the profile owner. The organization settings decide which
 * levels are generated at all.
 */
import type { Db } from '../db/connection.js';
import { newId } from '../db/ids.js';
import type { AlertChannel, OwnerType } from '../db/schema.js';
import type { AlertCatalogueEntry } from './alert-catalogue.js';
import type { Diagnosis, FixAction } from './diagnosis.js';
import {
  alertFingerprint,
  getEntry,
  productNames,
  renderAlertParts,
  type PlaceholderValues,
} from './render.js';

type Writer = Pick<Db, 'selectFrom' | 'insertInto' | 'updateTable'>;

export interface OwnedRef {
  readonly id: string;
  readonly name: string;
  readonly ownerId: string;
  readonly ownerType: OwnerType;
  readonly businessUnitId: string;
}

/** A mailbox's or profile's row narrowed to what an alert names of it. */
export function ownedRef(row: OwnedRef): OwnedRef {
  const { id, name, ownerId, ownerType, businessUnitId } = row;
  return { id, name, ownerId, ownerType, businessUnitId };
}

export interface RaiseAlertInput {
  /** catalogue entry id, e.g. `A1` or `C1` */
  readonly entryId: string;
  /** placeholder values; mailbox, profile and product names are filled in from the refs */
  readonly values?: PlaceholderValues;
  readonly mailbox?: OwnedRef | null;
  readonly profile?: OwnedRef | null;
  readonly itemReference?: string | null;
  readonly diagnosis?: Diagnosis | null;
  readonly fixActions?: readonly FixAction[];
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface RaisedAlert {
  readonly id: string;
  readonly entry: AlertCatalogueEntry;
  readonly message: string;
  /** true when it folded into an open alert */
  readonly repeated: boolean;
}

/**
 * Entries whose cause lies in the email server profile (server address, TLS,
 * the profile's own credentials) rather than in one mailbox. They belong to
 * the profile owner; mailbox owners see them only when the organization
 * setting "notify mailbox owner of profile-level alerts" is on.
 */
const PROFILE_LEVEL_ENTRIES: ReadonlySet<string> = new Set([
  'A15',
  'A15-in',
  'A15-act',
  'A16',
  'A16-out',
  'A16-act',
  'A17',
  'A18',
  'A19',
  'A26-in',
  'A26-out',
  'A33',
  'MR1-in',
  'MR1-out',
  'MR1-act',
  'MR2',
  'MR12-in',
  'MR12-out',
  'MR12-act',
  'MR19',
  'MR21',
  'MR22',
]);

export function isProfileLevel(entryId: string): boolean {
  return PROFILE_LEVEL_ENTRIES.has(entryId);
}

async function organizationSettings(db: Writer) {
  return db
    .selectFrom('organization')
    .select([
      'notifyMailboxOwnerOfProfileAlerts',
      'productName',
      'generateAlertsForErrors',
      'generateAlertsForWarnings',
      'generateAlertsForInformation',
    ])
    .executeTakeFirstOrThrow();
}

function levelEnabled(
  level: AlertCatalogueEntry['level'],
  settings: Awaited<ReturnType<typeof organizationSettings>>,
): boolean {
  if (level === 'error') return settings.generateAlertsForErrors;
  if (level === 'warning') return settings.generateAlertsForWarnings;
  return settings.generateAlertsForInformation;
}

/**
 * Records an alert, or counts one more occurrence of the same open alert.
 * Returns undefined when the organization does not generate alerts of the
 * entry's level (the failure itself is still handled by the caller).
 */
export async function raiseAlert(db: Writer, input: RaiseAlertInput): Promise<RaisedAlert | undefined> {
  const entry = getEntry(input.entryId);
  const settings = await organizationSettings(db);
  if (!levelEnabled(entry.level, settings)) return undefined;
  // Who the alert belongs to, and who else sees it (see PROFILE_LEVEL_ENTRIES).
  const profileOnly =
    input.profile &&
    (!input.mailbox || (isProfileLevel(entry.id) && !settings.notifyMailboxOwnerOfProfileAlerts));
  const owner = profileOnly ? input.profile : (input.mailbox ?? input.profile);
  if (!owner) throw new Error(`Alert ${entry.id} needs a mailbox or a profile to belong to`);
  const sharedWith = !profileOnly && input.mailbox && input.profile ? input.profile : null;
  const rendered = renderAlertParts(entry, {
    ...productNames(settings.productName),
    ...(input.mailbox ? { mailboxName: input.mailbox.name } : {}),
    ...(input.profile ? { profileName: input.profile.name } : {}),
    ...input.values,
  });
  const channel: AlertChannel = entry.channel;
  const fingerprint = alertFingerprint({
    code: entry.code,
    channel,
    mailboxId: input.mailbox?.id ?? null,
    // A mailbox's alert stays the same alert when the mailbox switches profiles.
    emailServerProfileId: input.mailbox ? null : (input.profile?.id ?? null),
    itemReference: input.itemReference ?? null,
  });
  const now = new Date();
  const diagnosis = JSON.stringify(input.diagnosis ?? null);
  const fixActions = JSON.stringify(input.fixActions ?? []);
  const details = JSON.stringify({
    ...(rendered.details ? { details: rendered.details } : {}),
    ...input.details,
  });
  const row = await db
    .insertInto('alerts')
    .values({
      id: newId(),
      level: entry.level,
      code: entry.code,
      entryId: entry.id,
      failureClass: entry.failure,
      serverErrorCode: rendered.serverErrorCode ?? null,
      channel,
      message: rendered.message,
      details,
      diagnosis,
      fixActions,
      mailboxId: input.mailbox?.id ?? null,
      emailServerProfileId: input.profile?.id ?? null,
      itemReference: input.itemReference ?? null,
      fingerprint,
      resolvedAt: null,
      ownerId: owner.ownerId,
      ownerType: owner.ownerType,
      businessUnitId: owner.businessUnitId,
      profileOwnerId: sharedWith?.ownerId ?? null,
      profileOwnerType: sharedWith?.ownerType ?? null,
      profileBusinessUnitId: sharedWith?.businessUnitId ?? null,
    })
    .onConflict((conflict) =>
      conflict
        .column('fingerprint')
        .where('resolvedAt', 'is', null)
        .doUpdateSet((eb) => ({
          occurrenceCount: eb('alerts.occurrenceCount', '+', 1),
          lastSeenAt: now,
          updatedAt: now,
          message: eb.ref('excluded.message'),
          details: eb.ref('excluded.details'),
          diagnosis: eb.ref('excluded.diagnosis'),
          fixActions: eb.ref('excluded.fixActions'),
        })),
    )
    .returning(['id', 'occurrenceCount'])
    .executeTakeFirstOrThrow();
  return { id: row.id, entry, message: rendered.message, repeated: row.occurrenceCount > 1 };
}

/**
 * Marks the open alerts of a mailbox channel resolved, e.g. after the channel
 * succeeded. Information alerts are left alone: they report, not complain.
 */
export async function resolveAlerts(
  db: Writer,
  scope: { mailboxId?: string; emailServerProfileId?: string; channels: readonly AlertChannel[] },
): Promise<number> {
  if (scope.channels.length === 0 || (!scope.mailboxId && !scope.emailServerProfileId)) return 0;
  const now = new Date();
  let update = db
    .updateTable('alerts')
    .set({ resolvedAt: now, updatedAt: now })
    .where('resolvedAt', 'is', null)
    .where('level', '!=', 'information')
    .where('channel', 'in', [...scope.channels]);
  update = scope.mailboxId
    ? update.where('mailboxId', '=', scope.mailboxId)
    : update
        .where('emailServerProfileId', '=', scope.emailServerProfileId ?? '')
        .where('mailboxId', 'is', null);
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

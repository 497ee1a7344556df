/**
 * One ACT cycle of one mailbox, under a lease the caller claimed on the
 * 'act' channel:
 *
 * 1. The same preconditions as Test & Enable (active, approved user mailbox,
 *    CalDAV/CardDAV profile, owner roles and privileges → A2/A5, credentials).
 *    Queue mailboxes are never claimed for ACT (channelApplies).
 * 2. Discover the calendar and address book homes (RFC 6764: well-known
 *    URL, current-user-principal, home sets), list the collections, choose
 *    where new Mailroom items go (collection-choice.ts; created when none
 *    fits, remembered for the next cycles), and run the two-way pass
 *    (engine.ts) over every calendar and address book.
 * 3. Success: status Success, open ACT alerts resolved, then conflict losers
 *    raised as E5 warnings naming the item. Failure: the alert by
 *    classification; transient → back off (until the organization's limit
 *    disables the channel with MR15-act), permanent → disabled at once.
 */
import type { Logger } from 'pino';
import {
  createAddressBook,
  createCalendar,
  listAddressBooks,
  listCalendars,
} from '../../connectors/dav/collections.js';
import { discoverHomes } from '../../connectors/dav/discovery.js';
import { davHttpFor } from '../../connectors/dav/http.js';
import { DavSession } from '../../connectors/dav/session.js';
import { ConnectorFailure } from '../../connectors/types.js';
import type { Db } from '../../db/connection.js';
import { ownedRef, raiseAlert } from '../../diagnostics/alerts.js';
import { getEntry } from '../../diagnostics/render.js';
import {
  channelCredentials,
  CredentialsUnreadableError,
  davEndpoint,
  type TlsTrust,
} from '../../mailboxes/connection-settings.js';
import type { MailboxContext } from '../../mailboxes/facts.js';
import type { SecretBox } from '../../security/secrets.js';
import {
  connectorFailure,
  recordFailure,
  recordSuccess,
  type CycleCounts,
  type CycleFailure,
} from '../cycle-bookkeeping.js';
import { failedCycle, lastSync, runChannelCycle } from '../cycle-frame.js';
import type { SchedulePolicy } from '../due-time.js';
import { fence, finishLease, type Lease } from '../scheduler.js';
import {
  chooseCollections,
  type Chosen,
  type NewItemKind,
  type PreviousChoice,
} from '../../connectors/dav/collection-choice.js';
import { ActDavClient } from './dav-client.js';
import {
  ActEngine,
  emptyActStats,
  type ActCollections,
  type ActStats,
  type ConflictReport,
} from './engine.js';
import { ActAuthority, ActDeniedError } from './store.js';
import { trackedSession } from '../../observability/metrics.js';

export interface ActDependencies {
  readonly db: Db;
  readonly secrets: SecretBox;
  readonly trust: TlsTrust;
  readonly logger?: Logger | undefined;
  readonly policy?: SchedulePolicy | undefined;
  readonly random?: (() => number) | undefined;
  readonly leaseMs?: number | undefined;
}

export const DEFAULT_ACT_LEASE_MS = 120_000;

export interface ActCycleOutcome {
  readonly mailboxId: string;
  /** notApplicable: ACT does not apply to the mailbox (a queue mailbox, method none); nothing was done */
  readonly outcome: 'success' | 'failure' | 'leaseLost' | 'gone' | 'notApplicable';
  readonly stats: ActStats;
  readonly conflicts?: readonly ConflictReport[];
  readonly entryId?: string;
  readonly code?: string;
  readonly disabled?: boolean;
  readonly nextDueAt?: Date | null;
}

export async function runActCycle(
  deps: ActDependencies,
  lease: Lease,
  options: { shouldStop?: () => boolean } = {},
): Promise<ActCycleOutcome> {
  let stats = emptyActStats();
  return runChannelCycle<{ engine: ActEngine; interrupted: boolean }, ActCycleOutcome>(deps, lease, options, {
    channel: 'act',
    leaseMs: deps.leaseMs ?? DEFAULT_ACT_LEASE_MS,
    // Mailroom's own side (database, a bug): the generic transient ACT text; retried.
    internalEntryId: 'E5',
    skip: async (verdict) => {
      if (verdict?.applicable) return undefined;
      // Queue mailboxes never synchronize ACT: give the lease back, due again in a day.
      await finishLease(deps.db, lease, {
        dueAt: new Date(Date.now() + 86_400_000),
        failureCount: 0,
        quietCycles: 0,
        lastCycle: null,
      });
      return { mailboxId: lease.mailboxId, outcome: 'notApplicable', stats };
    },
    work: async (context, run) => {
      const result = await synchronize(deps, lease, context, run.shouldStop);
      stats = result.engine.stats;
      return result;
    },
    describe: describeFailure,
    succeed: (context, startedAt, result) =>
      succeed(deps, lease, context, startedAt, result.engine, result.interrupted),
    fail: async (context, startedAt, failure) =>
      failedCycle(
        context.mailbox.id,
        stats,
        await recordFailure(deps, lease, context, {
          startedAt,
          counts: cycleCounts(stats),
          failure,
          mailbox: lastSync.failure(startedAt),
          // MR15-act carries the diagnosis of the failure that reached the limit, as MR15-in and MR15-out do.
          limitAlertDiagnosis: true,
        }),
      ),
    unrecorded: (outcome) => ({ mailboxId: lease.mailboxId, outcome, stats }),
  });
}

async function synchronize(
  deps: ActDependencies,
  lease: Lease,
  context: MailboxContext,
  shouldStop: () => boolean,
): Promise<{ engine: ActEngine; interrupted: boolean }> {
  const { mailbox, profile, facts } = context;
  if (!profile || !facts.owner) throw new Error('the preconditions guarantee a profile and an owner');
  const credentials = channelCredentials('act', profile, mailbox, deps.secrets);
  const endpoint = davEndpoint(profile, deps.trust);
  if (!credentials || !endpoint) throw new Error('the preconditions guarantee credentials and a URL');
  const http = trackedSession(profile.id, 'dav', davHttpFor(endpoint, credentials));
  try {
    const session = new DavSession(http);
    const collections = await findCollections(
      deps.db,
      lease,
      deps.leaseMs ?? DEFAULT_ACT_LEASE_MS,
      session,
      endpoint.url,
    );
    const user =
      mailbox.regardingType === 'user' && mailbox.regardingId
        ? await deps.db
            .selectFrom('users')
            .select(['id', 'emailAddress'])
            .where('id', '=', mailbox.regardingId)
            .executeTakeFirst()
        : undefined;
    const addresses = [
      ...new Set([mailbox.emailAddress, user?.emailAddress].filter((a): a is string => Boolean(a))),
    ];
    const engine = new ActEngine({
      db: deps.db,
      lease,
      leaseMs: deps.leaseMs ?? DEFAULT_ACT_LEASE_MS,
      authority: new ActAuthority(facts.owner, facts.tree),
      mailbox: ownedRef(mailbox),
      profile: ownedRef(profile),
      user: { id: user?.id ?? mailbox.ownerId, addresses },
      client: new ActDavClient(session, http),
      collections,
    });
    const result = await engine.run(shouldStop);
    return { engine, interrupted: result.interrupted };
  } finally {
    http.close();
  }
}

async function findCollections(
  db: Db,
  lease: Lease,
  leaseMs: number,
  session: DavSession,
  url: string,
): Promise<ActCollections> {
  const homes = await discoverHomes(session, url);
  const calendars = await listCalendars(session, homes.calendarHome);
  const books = await listAddressBooks(session, homes.addressBookHome);
  const choice = chooseCollections({
    calendars,
    addressBooks: books,
    previous: await previousChoice(db, lease.mailboxId),
  });
  const make = async (chosen: Chosen): Promise<string> => {
    if ('url' in chosen) return chosen.url;
    const collection =
      chosen.create === 'addressBook'
        ? await createAddressBook(session, homes.addressBookHome, 'Contacts')
        : chosen.create === 'tasks'
          ? await createCalendar(session, homes.calendarHome, 'Tasks', ['VTODO'])
          : await createCalendar(session, homes.calendarHome, 'Calendar', ['VEVENT', 'VTODO']);
    return collection.url;
  };
  const eventCalendar = await make(choice.appointment);
  // No calendar at all: the one just created for events takes tasks too.
  const taskCalendar =
    'create' in choice.task && choice.task.create === 'calendar' ? eventCalendar : await make(choice.task);
  const addressBook = await make(choice.contact);
  await rememberChoice(db, lease, leaseMs, {
    appointment: eventCalendar,
    task: taskCalendar,
    contact: addressBook,
  });
  const calendarUrls = [...new Set([...calendars.map((c) => c.url), eventCalendar, taskCalendar])];
  const bookUrls = [...new Set([...books.map((b) => b.url), addressBook])];
  return { calendars: calendarUrls, addressBooks: bookUrls, eventCalendar, taskCalendar, addressBook };
}

async function previousChoice(db: Db, mailboxId: string): Promise<PreviousChoice> {
  const rows = await db
    .selectFrom('actCollections')
    .select(['url', 'primaryFor'])
    .where('mailboxId', '=', mailboxId)
    .execute();
  const of = (kind: NewItemKind) => rows.find((row) => row.primaryFor.includes(kind))?.url;
  return { appointment: of('appointment'), task: of('task'), contact: of('contact') };
}

/** Stores where new items go, so the next cycles keep the same collections. */
async function rememberChoice(
  db: Db,
  lease: Lease,
  leaseMs: number,
  chosen: Readonly<Record<NewItemKind, string>>,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await fence(trx, lease, leaseMs);
    const byUrl = new Map<string, NewItemKind[]>();
    for (const kind of ['appointment', 'task', 'contact'] as const) {
      byUrl.set(chosen[kind], [...(byUrl.get(chosen[kind]) ?? []), kind]);
    }
    await trx
      .updateTable('actCollections')
      .set({ primaryFor: [], isPrimary: false })
      .where('mailboxId', '=', lease.mailboxId)
      .where('url', 'not in', [...byUrl.keys()])
      .execute();
    for (const [url, kinds] of byUrl) {
      await trx
        .insertInto('actCollections')
        .values({
          mailboxId: lease.mailboxId,
          url,
          kind: kinds.includes('contact') ? 'addressBook' : 'calendar',
          isPrimary: true,
          primaryFor: kinds,
          syncToken: null,
        })
        .onConflict((oc) =>
          oc.columns(['mailboxId', 'url']).doUpdateSet({ primaryFor: kinds, isPrimary: true }),
        )
        .execute();
    }
  });
}

/** The ACT channel's own errors → the alert each raises. */
function describeFailure(error: unknown, context: MailboxContext): CycleFailure | undefined {
  if (error instanceof ActDeniedError) {
    const { owner, denial } = error;
    const entryId = denial.reason === 'noRoles' ? 'A5' : denial.reason === 'depthInsufficient' ? 'A4' : 'A2';
    const ownerWords = `${owner.kind} ${owner.name}`;
    return {
      entryId,
      failure: getEntry(entryId).failure,
      values: { principalName: owner.name, principalId: owner.id, privilegeName: denial.privilegeName },
      diagnosis: {
        summary: `${ownerWords}, which owns the mailbox, may not ${error.action}: ${denial.privilegeName} (${denial.reason})`,
        findings: [
          {
            record: { type: owner.kind, id: owner.id, name: owner.name },
            problem: `lacks ${denial.privilegeName}`,
          },
        ],
        fix: `Give ${ownerWords} a role that grants ${denial.privilegeName} at a depth that reaches the record (docs/security.md), then run Test & Enable.`,
      },
      details: { during: 'sync', privilege: denial.privilegeName, reason: denial.reason },
    };
  }
  if (error instanceof CredentialsUnreadableError)
    return { entryId: 'MR16-act', failure: 'permanent', details: { during: 'sync' } };
  if (error instanceof ConnectorFailure) return connectorFailure(error, context, 'act');
  return undefined;
}

function cycleCounts(stats: ActStats): CycleCounts {
  return {
    seen: stats.seen,
    created: stats.created,
    associated: stats.updated,
    failed: stats.failed,
    parked: 0,
    skipped: 0,
    act: { ...stats },
  } as CycleCounts;
}

async function succeed(
  deps: ActDependencies,
  lease: Lease,
  context: MailboxContext,
  startedAt: Date,
  engine: ActEngine,
  interrupted: boolean,
): Promise<ActCycleOutcome> {
  const { mailbox, profile } = context;
  const { stats } = engine;
  const dueAt = await recordSuccess(deps, lease, context, {
    startedAt,
    counts: cycleCounts(stats),
    active: stats.created + stats.updated + stats.deleted + stats.pushed + stats.deletedOnServer > 0,
    dueAt: interrupted ? null : undefined,
    // The mailbox's last-sync columns, as the incoming cycle keeps them.
    mailbox: () => lastSync.success(startedAt),
    // The losers of conflicts, each named: raised after the resolution so they stay open.
    afterResolve: async (trx) => {
      for (const conflict of engine.conflicts) {
        await raiseAlert(trx, {
          mailbox: ownedRef(mailbox),
          profile: profile ? ownedRef(profile) : null,
          itemReference: conflict.href,
          entryId: 'E5',
          values: {},
          details: {
            item: conflict.itemName,
            href: conflict.href,
            winner: conflict.note.winner,
            rule:
              conflict.note.reason === 'newerEdit'
                ? 'both sides changed: the newer change wins'
                : 'an edit wins over a delete',
          },
        });
      }
    },
  });
  return { mailboxId: mailbox.id, outcome: 'success', stats, conflicts: engine.conflicts, nextDueAt: dueAt };
}

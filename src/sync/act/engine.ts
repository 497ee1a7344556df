/**
 * One two-way pass over a mailbox's calendars and address books:
 *
 * 1. Pull, per collection: what changed on the server since the stored sync
 *    token (or, without one, a listing of ETags compared with the links);
 *    changed items are fetched by multiget and decided item by item
 *    (decisions.ts): new → a record; changed → the record follows; deleted →
 *    the record is deleted; both sides changed → newer wins. A malformed item
 *    gets a failed link row and an MR6/MR7 item alert, and the rest goes on.
 *    Records, links and alerts of a batch commit together, behind the lease
 *    fence; the sync token is stored after the collection's items.
 *    Before a new appointment or contact is created (or a linked appointment
 *    moved), the decision-alert checks run (booking-checks.ts): an overlap
 *    (E1) or a duplicate address (E2) holds the item and asks; the answer
 *    (decision-answers.ts) is applied on a later cycle, per item version.
 * 2. Push: linked records whose hash changed go out with If-Match; deleted
 *    records are deleted with If-Match; records in the filters without a link
 *    are put as new items with If-None-Match: *. A link row is written before
 *    a new item's PUT (no ETag yet), so an interrupted cycle neither loses nor
 *    duplicates it.
 */
import type { Db } from '../../db/connection.js';
import { newId } from '../../db/ids.js';
import type { ActRecordType, NewRow, Row, RowUpdate } from '../../db/schema.js';
import { raiseAlert, type OwnedRef } from '../../diagnostics/alerts.js';
import { resolveDecisionAlerts } from './decision-answers.js';
import type { DavProtocol } from '../../connectors/dav/failure.js';
import { fence, type Lease } from '../scheduler.js';
import type { ActDavClient, FetchedItem } from './dav-client.js';
import { duplicateContacts, schedulingConflict } from './booking-checks.js';
import {
  answeredFor,
  decideItem,
  holdVerdict,
  timesChanged,
  type ConflictNote,
  type DecisionEntry,
  type HoldVerdict,
  type StoredDecision,
} from './decisions.js';
import { MalformedItemError, parseCalendarItem, renderCalendarItem } from './ical-mapping.js';
import { itemName, recordHash, type RecordData } from './records.js';
import {
  candidateRecords,
  createRecord,
  deleteRecord,
  loadRecords,
  recordByUid,
  recordKey,
  setIcalUid,
  updateRecord,
  type ActAuthority,
  type LoadedRecord,
} from './store.js';
import { parseVCard, renderVCard } from './vcard-mapping.js';

export interface ActCollections {
  readonly calendars: readonly string[];
  readonly addressBooks: readonly string[];
  readonly eventCalendar: string;
  readonly taskCalendar: string;
  readonly addressBook: string;
}

export interface ActSyncContext {
  readonly db: Db;
  readonly lease: Lease;
  readonly leaseMs: number;
  readonly authority: ActAuthority;
  readonly mailbox: OwnedRef;
  readonly profile: OwnedRef | null;
  readonly user: { readonly id: string; readonly addresses: readonly string[] };
  readonly client: ActDavClient;
  readonly collections: ActCollections;
  readonly now?: () => Date;
}

export interface ActStats {
  seen: number;
  created: number;
  updated: number;
  deleted: number;
  pushed: number;
  deletedOnServer: number;
  conflicts: number;
  failed: number;
  /** items held for a decision alert's answer (E1/E2), asked this cycle */
  held: number;
  /** items left out because the decision was No */
  declined: number;
}

export interface ConflictReport {
  readonly href: string;
  readonly itemName: string;
  readonly note: ConflictNote;
}

export function emptyActStats(): ActStats {
  return {
    seen: 0,
    created: 0,
    updated: 0,
    deleted: 0,
    pushed: 0,
    deletedOnServer: 0,
    conflicts: 0,
    failed: 0,
    held: 0,
    declined: 0,
  };
}

type Link = Row<'actItemLinks'>;

interface ParsedItem {
  readonly uid: string;
  readonly record: RecordData;
  readonly lastModified: Date | null;
}

function parseItem(protocol: DavProtocol, body: string): ParsedItem {
  if (protocol === 'carddav') {
    const card = parseVCard(body);
    return { uid: card.uid, record: { type: 'contact', data: card.data }, lastModified: card.lastModified };
  }
  return parseCalendarItem(body);
}

function render(record: RecordData, uid: string, base: string | undefined, now: Date): string {
  if (record.type === 'contact')
    return renderVCard(record.data, uid, { ...(base === undefined ? {} : { base }), now });
  return renderCalendarItem(record, uid, { base, now });
}

function protocolOf(type: ActRecordType): DavProtocol {
  return type === 'contact' ? 'carddav' : 'caldav';
}

const BATCH = 50;

export class ActEngine {
  readonly stats = emptyActStats();
  readonly conflicts: ConflictReport[] = [];
  private links = new Map<string, Link>();
  /** hrefs decided during the pull; the push leaves them alone */
  private readonly handled = new Set<string>();

  constructor(private readonly ctx: ActSyncContext) {}

  private now(): Date {
    return this.ctx.now?.() ?? new Date();
  }

  async run(shouldStop: () => boolean): Promise<{ interrupted: boolean }> {
    await this.loadLinks();
    const all: [DavProtocol, string][] = [
      ...this.ctx.collections.calendars.map((url) => ['caldav', url] as [DavProtocol, string]),
      ...this.ctx.collections.addressBooks.map((url) => ['carddav', url] as [DavProtocol, string]),
    ];
    for (const [protocol, url] of all) {
      if (shouldStop()) return { interrupted: true };
      await this.pull(protocol, url);
    }
    if (shouldStop()) return { interrupted: true };
    await this.loadLinks();
    await this.push();
    return { interrupted: false };
  }

  private async loadLinks(): Promise<void> {
    const rows = await this.ctx.db
      .selectFrom('actItemLinks')
      .selectAll()
      .where('mailboxId', '=', this.ctx.mailbox.id)
      .execute();
    this.links = new Map(rows.map((row) => [row.href, row]));
  }

  private async inTransaction(work: (trx: Db) => Promise<void>): Promise<void> {
    await this.ctx.db.transaction().execute(async (trx) => {
      await fence(trx, this.ctx.lease, this.ctx.leaseMs);
      await work(trx);
    });
  }

  // ---------------------------------------------------------------- pull

  private async pull(protocol: DavProtocol, url: string): Promise<void> {
    const { db, mailbox, client } = this.ctx;
    const stored = await db
      .selectFrom('actCollections')
      .select('syncToken')
      .where('mailboxId', '=', mailbox.id)
      .where('url', '=', url)
      .executeTakeFirst();
    const changes = await client.changes(protocol, url, stored?.syncToken ?? null);
    const inCollection = [...this.links.values()].filter((link) => link.collectionUrl === url);
    const listed = new Set(changes.changed.map((item) => item.href));
    const gone = new Set(changes.removed);
    if (changes.full) {
      for (const link of inCollection) if (!listed.has(link.href) && link.etag !== null) gone.add(link.href);
    }
    const toFetch = changes.changed
      .filter((item) => this.links.get(item.href)?.etag !== item.etag)
      .map((item) => item.href);
    // Items whose decision alert was answered Yes since: fetched again to be applied.
    for (const link of inCollection) {
      if (link.decisionEntry !== null && link.decision === 'yes' && !toFetch.includes(link.href))
        toFetch.push(link.href);
    }
    this.stats.seen += toFetch.length;

    for (let index = 0; index < toFetch.length; index += BATCH) {
      const fetched = await client.fetch(protocol, url, toFetch.slice(index, index + BATCH));
      const records = await this.linkedRecords(fetched.map((item) => this.links.get(item.href)));
      const pushes: (() => Promise<void>)[] = [];
      await this.inTransaction(async (trx) => {
        for (const item of fetched) {
          const push = await this.applyServerItem(trx, protocol, url, item, records);
          if (push) pushes.push(push);
        }
      });
      for (const push of pushes) await push();
    }

    const goneLinks = [...gone].flatMap((href) => {
      const link = this.links.get(href);
      return link && link.etag !== null ? [link] : [];
    });
    const records = await this.linkedRecords(goneLinks);
    const recreate: Link[] = [];
    for (let index = 0; index < goneLinks.length; index += BATCH) {
      await this.inTransaction(async (trx) => {
        for (const link of goneLinks.slice(index, index + BATCH)) {
          const again = await this.applyServerDelete(trx, link, records);
          if (again) recreate.push(again);
        }
      });
    }
    // Edited here, deleted there: the push puts these back as new items.
    for (const link of recreate) this.handled.delete(link.href);

    await this.inTransaction(async (trx) => {
      await trx
        .insertInto('actCollections')
        .values({
          mailboxId: mailbox.id,
          url,
          kind: protocol === 'caldav' ? 'calendar' : 'addressBook',
          syncToken: changes.token,
        })
        .onConflict((oc) =>
          oc.columns(['mailboxId', 'url']).doUpdateSet({ syncToken: changes.token, updatedAt: new Date() }),
        )
        .execute();
    });
  }

  private async linkedRecords(links: readonly (Link | undefined)[]): Promise<Map<string, LoadedRecord>> {
    const refs = links.flatMap((link) =>
      link?.recordId && link.recordType ? [{ type: link.recordType, id: link.recordId }] : [],
    );
    return loadRecords(this.ctx.db, refs);
  }

  /** Applies one fetched server item; returns a push to make after the commit when Mailroom's version wins. */
  private async applyServerItem(
    trx: Db,
    protocol: DavProtocol,
    collectionUrl: string,
    item: FetchedItem,
    records: Map<string, LoadedRecord>,
  ): Promise<(() => Promise<void>) | undefined> {
    const { authority } = this.ctx;
    const link = this.links.get(item.href);
    let parsed: ParsedItem;
    try {
      parsed = parseItem(protocol, item.body);
    } catch (error) {
      if (!(error instanceof MalformedItemError)) throw error;
      await this.recordMalformed(trx, protocol, collectionUrl, item, link, error);
      return undefined;
    }
    this.handled.add(item.href);
    const loaded =
      link?.recordId && link.recordType ? records.get(recordKey(link.recordType, link.recordId)) : undefined;

    if (!link || !link.recordId || (link.status === 'failed' && !loaded)) {
      // New on the server (or readable again after a failure): adopt a record that carries its UID, else create one.
      const adopted = await recordByUid(trx, parsed.record.type, parsed.uid);
      let id: string;
      const created = !adopted;
      if (adopted) {
        id = adopted;
        const current = (await loadRecords(trx, [{ type: parsed.record.type, id }])).get(
          recordKey(parsed.record.type, id),
        );
        if (current) await updateRecord(trx, authority, current, parsed.record);
        this.stats.updated += 1;
      } else {
        const verdict = await this.holdCheck(trx, item, link, parsed, undefined);
        if (verdict.kind !== 'proceed') {
          await this.hold(trx, collectionUrl, item, link, parsed, verdict);
          return undefined;
        }
        if (link?.decisionEntry) await this.settleDecision(trx, item.href, verdict.answered);
        id = await this.createPulled(trx, parsed);
        this.stats.created += 1;
      }
      await this.saveLink(trx, { ...pulled(link, collectionUrl, item, parsed), id, created });
      return undefined;
    }

    const action = decideItem({
      server: { etag: item.etag, lastModified: parsed.lastModified },
      record: loaded ? { hash: recordHash(loaded.record), updatedAt: loaded.updatedAt } : 'gone',
      link: { etag: link.etag, recordHash: link.recordHash },
    });
    const note = 'conflict' in action ? action.conflict : undefined;
    if (note)
      this.noteConflict(
        item.href,
        itemName(note.winner === 'server' ? parsed.record : (loaded?.record ?? parsed.record)),
        note,
      );
    // Any other outcome makes an open question about this item moot.
    if (link.decisionEntry && action.kind !== 'pull')
      await this.settleDecision(trx, item.href, link.decision !== null);
    let answered = false;
    switch (action.kind) {
      case 'pull': {
        if (!loaded) return undefined;
        if (
          parsed.record.type === 'appointment' &&
          loaded.record.type === 'appointment' &&
          timesChanged(loaded.record.data, parsed.record.data)
        ) {
          // A move is booked again: an overlap asks first (E1), as for a new appointment.
          const verdict = await this.holdCheck(trx, item, link, parsed, loaded.id);
          if (verdict.kind !== 'proceed') {
            await this.hold(trx, collectionUrl, item, link, parsed, verdict);
            return undefined;
          }
          answered = verdict.answered;
        }
        if (link.decisionEntry) await this.settleDecision(trx, item.href, answered);
        await updateRecord(trx, authority, loaded, parsed.record);
        this.stats.updated += 1;
        await this.saveLink(trx, {
          ...pulled(link, collectionUrl, item, parsed),
          id: loaded.id,
          conflict: note ? { ...note, at: new Date().toISOString(), loser: loaded.record } : undefined,
        });
        return undefined;
      }
      case 'recreateRecord': {
        const id = await this.createPulled(trx, parsed);
        this.stats.created += 1;
        await this.saveLink(trx, {
          ...pulled(link, collectionUrl, item, parsed),
          id,
          conflict: { ...action.conflict, at: new Date().toISOString(), loser: null },
          created: true,
        });
        return undefined;
      }
      case 'push': {
        if (!loaded) return undefined;
        const loser = parsed.record;
        return async () => {
          await this.putUpdate(
            link,
            loaded,
            item.body,
            item.etag,
            note ? { ...note, at: new Date().toISOString(), loser } : undefined,
          );
        };
      }
      default:
        await trx
          .updateTable('actItemLinks')
          .set({ etag: item.etag, updatedAt: new Date() })
          .where('id', '=', link.id)
          .execute();
        return undefined;
    }
  }

  /** Whether the item waits for a decision: the stored answer for this version, else the E1/E2 checks. */
  private async holdCheck(
    trx: Db,
    item: FetchedItem,
    link: Link | undefined,
    parsed: ParsedItem,
    recordId: string | undefined,
  ): Promise<HoldVerdict> {
    const stored: StoredDecision = {
      entry: link?.decisionEntry ?? null,
      etag: link?.decisionEtag ?? null,
      answer: link?.decision ?? null,
    };
    if (answeredFor(item.etag, stored)) return holdVerdict(item.etag, stored, null);
    let question: DecisionEntry | null = null;
    if (parsed.record.type === 'appointment') {
      const clash = await schedulingConflict(trx, this.ctx.authority.owner.id, parsed.record.data, recordId);
      if (clash) question = 'E1';
    } else if (parsed.record.type === 'contact' && recordId === undefined) {
      if ((await duplicateContacts(trx, parsed.record.data)).length > 0) question = 'E2';
    }
    return holdVerdict(item.etag, stored, question);
  }

  /**
   * Holds an item: asks (raises the decision alert and remembers the
   * question for this version), keeps waiting, or leaves it out after a No.
   * A linked record stays as it was; a new item keeps a link row without a
   * record ('waiting' or 'declined'), so it is neither created nor asked
   * about again until it changes on the server.
   */
  private async hold(
    trx: Db,
    collectionUrl: string,
    item: FetchedItem,
    link: Link | undefined,
    parsed: ParsedItem,
    verdict: Exclude<HoldVerdict, { kind: 'proceed' }>,
  ): Promise<void> {
    const linked = Boolean(link?.recordId);
    const now = new Date();
    // A linked item keeps the ETag of the version its record has until the
    // change is applied or declined; a new item's row notes the version seen.
    const base = {
      ...(linked && verdict.kind !== 'skip' ? {} : { etag: item.etag }),
      uid: parsed.uid,
      subject: itemName(parsed.record).slice(0, 500),
      updatedAt: now,
    };
    const values =
      verdict.kind === 'ask'
        ? {
            ...base,
            ...(linked ? {} : { status: 'waiting' as const, recordType: parsed.record.type }),
            decisionEntry: verdict.entry,
            decisionEtag: item.etag,
            decision: null,
            decidedBy: null,
            decidedAt: null,
          }
        : verdict.kind === 'skip'
          ? { ...base, ...(linked ? {} : { status: 'declined' as const }) }
          : base;
    await this.writeLinkRow(trx, link, values, { collectionUrl, href: item.href, ...values });
    if (verdict.kind === 'skip') {
      this.stats.declined += 1;
      return;
    }
    if (verdict.kind !== 'ask') return;
    this.stats.held += 1;
    const name = itemName(parsed.record);
    await raiseAlert(trx, {
      mailbox: this.ctx.mailbox,
      profile: this.ctx.profile,
      itemReference: item.href,
      entryId: verdict.entry,
      values:
        verdict.entry === 'E1'
          ? { itemName: name, principalName: this.ctx.authority.owner.name }
          : { itemName: name },
      details: {
        href: item.href,
        etag: item.etag,
        decision: 'pending',
        answers: ['yes', 'no'],
        ...(linked ? { recordType: parsed.record.type, recordId: link?.recordId } : {}),
      },
    });
  }

  /** The question about an item is settled (answered Yes, or no longer applies): forget it, close its alert. */
  private async settleDecision(trx: Db, href: string, answered: boolean): Promise<void> {
    await trx
      .updateTable('actItemLinks')
      .set({ decisionEntry: null, decisionEtag: null, decision: null, updatedAt: new Date() })
      .where('mailboxId', '=', this.ctx.mailbox.id)
      .where('href', '=', href)
      .execute();
    if (!answered) await resolveDecisionAlerts(trx, this.ctx.mailbox.id, href);
  }

  private async applyServerDelete(
    trx: Db,
    link: Link,
    records: Map<string, LoadedRecord>,
  ): Promise<Link | undefined> {
    this.handled.add(link.href);
    if (link.decisionEntry) await resolveDecisionAlerts(trx, this.ctx.mailbox.id, link.href);
    const loaded =
      link.recordId && link.recordType ? records.get(recordKey(link.recordType, link.recordId)) : undefined;
    if (link.status === 'failed' || !link.recordId) {
      await trx.deleteFrom('actItemLinks').where('id', '=', link.id).execute();
      return undefined;
    }
    const action = decideItem({
      server: 'gone',
      record: loaded ? { hash: recordHash(loaded.record), updatedAt: loaded.updatedAt } : 'gone',
      link: { etag: link.etag, recordHash: link.recordHash },
    });
    if (action.kind === 'deleteRecord' && loaded) {
      await deleteRecord(trx, this.ctx.authority, loaded);
      this.stats.deleted += 1;
    }
    if (action.kind === 'recreateOnServer' && loaded) {
      this.noteConflict(link.href, itemName(loaded.record), action.conflict);
      // Keep the link without an ETag: the push puts the item back (If-None-Match: *).
      await trx
        .updateTable('actItemLinks')
        .set({
          etag: null,
          conflict: JSON.stringify({ ...action.conflict, at: new Date().toISOString(), loser: null }),
          updatedAt: new Date(),
        })
        .where('id', '=', link.id)
        .execute();
      return link;
    }
    await trx.deleteFrom('actItemLinks').where('id', '=', link.id).execute();
    return undefined;
  }

  private noteConflict(href: string, name: string, note: ConflictNote): void {
    this.stats.conflicts += 1;
    this.conflicts.push({ href, itemName: name, note });
  }

  private async recordMalformed(
    trx: Db,
    protocol: DavProtocol,
    collectionUrl: string,
    item: FetchedItem,
    link: Link | undefined,
    error: MalformedItemError,
  ): Promise<void> {
    this.stats.failed += 1;
    this.handled.add(item.href);
    const entryId = protocol === 'caldav' ? 'MR6' : 'MR7';
    const code = protocol === 'caldav' ? 'MailroomMalformedICalendar' : 'MailroomMalformedVCard';
    const values = {
      status: 'failed' as const,
      etag: item.etag,
      lastErrorCode: code,
      lastErrorReason: error.message.slice(0, 500),
      updatedAt: new Date(),
    };
    await this.writeLinkRow(trx, link, values, { collectionUrl, href: item.href, ...values });
    await raiseAlert(trx, {
      mailbox: this.ctx.mailbox,
      profile: this.ctx.profile,
      itemReference: item.href,
      entryId,
      values: { itemReference: item.href, parseError: error.message.slice(0, 300) },
      details: { href: item.href, etag: item.etag, reason: error.message.slice(0, 500) },
    });
  }

  /** A record for an item new from the server, owned by the mailbox's user (its first address as organizer). */
  private createPulled(trx: Db, parsed: ParsedItem): Promise<string> {
    const { authority, user } = this.ctx;
    return createRecord(trx, authority, parsed.record, parsed.uid, {
      id: user.id,
      address: user.addresses[0] ?? null,
    });
  }

  private async saveLink(
    trx: Db,
    input: {
      link: Link | undefined;
      collectionUrl: string;
      href: string;
      etag: string | null;
      uid: string;
      type: ActRecordType;
      id: string;
      subject: string;
      conflict?: Record<string, unknown> | undefined;
      /** the record was created in this transaction: no other link can name it */
      created?: boolean;
    },
  ): Promise<void> {
    const reloaded = (await loadRecords(trx, [{ type: input.type, id: input.id }])).get(
      recordKey(input.type, input.id),
    );
    const now = new Date();
    const values = {
      collectionUrl: input.collectionUrl,
      etag: input.etag,
      uid: input.uid,
      recordType: input.type,
      recordId: input.id,
      recordHash: reloaded ? recordHash(reloaded.record) : null,
      status: 'synced' as const,
      lastErrorCode: null,
      lastErrorReason: null,
      subject: input.subject.slice(0, 500),
      syncedAt: now,
      updatedAt: now,
      ...(input.conflict ? { conflict: JSON.stringify(input.conflict) } : {}),
    };
    // A record links to one item per mailbox: an older link of the same record gives way.
    if (!input.created)
      await trx
        .deleteFrom('actItemLinks')
        .where('mailboxId', '=', this.ctx.mailbox.id)
        .where('recordType', '=', input.type)
        .where('recordId', '=', input.id)
        .where('href', '!=', input.href)
        .execute();
    await this.writeLinkRow(trx, input.link, values, { href: input.href, ...values });
  }

  /**
   * Writes an item's link row: the one it has, or a new one for this mailbox
   * (taking over a row another pass wrote for the same href meanwhile).
   */
  private async writeLinkRow(
    trx: Db,
    link: Pick<Link, 'id'> | undefined,
    values: RowUpdate<'actItemLinks'>,
    created: Omit<NewRow<'actItemLinks'>, 'id' | 'mailboxId'>,
  ): Promise<void> {
    if (link) {
      await trx.updateTable('actItemLinks').set(values).where('id', '=', link.id).execute();
      return;
    }
    await trx
      .insertInto('actItemLinks')
      .values({ id: newId(), mailboxId: this.ctx.mailbox.id, ...created })
      .onConflict((oc) => oc.columns(['mailboxId', 'href']).doUpdateSet(values))
      .execute();
  }

  // ---------------------------------------------------------------- push

  private async push(): Promise<void> {
    const { db, authority, user } = this.ctx;
    const links = [...this.links.values()];
    const linkedRecords = await this.linkedRecords(links);
    const linkedKeys = new Set<string>();
    for (const link of links) {
      if (link.recordId && link.recordType) linkedKeys.add(recordKey(link.recordType, link.recordId));
      if (this.handled.has(link.href) || link.status !== 'synced' || !link.recordId || !link.recordType)
        continue;
      // A server change waiting for a decision holds the record's changes too.
      if (link.decisionEntry !== null && link.decision === null) continue;
      const loaded = linkedRecords.get(recordKey(link.recordType, link.recordId));
      if (link.etag === null) {
        if (loaded) await this.putNew(loaded, link);
        continue;
      }
      const action = decideItem({
        server: { etag: link.etag, lastModified: null },
        record: loaded ? { hash: recordHash(loaded.record), updatedAt: loaded.updatedAt } : 'gone',
        link: { etag: link.etag, recordHash: link.recordHash },
      });
      if (action.kind === 'deleteOnServer') {
        const result = await this.ctx.client.delete(protocolOf(link.recordType), link.href, link.etag);
        if (result === 'conflict') continue; // changed there meanwhile: the next pull decides
        await this.inTransaction(async (trx) => {
          await trx.deleteFrom('actItemLinks').where('id', '=', link.id).execute();
        });
        this.stats.deletedOnServer += 1;
      } else if (action.kind === 'push' && loaded) {
        const current = await this.ctx.client.get(protocolOf(link.recordType), link.href);
        if (!current || (current.etag && current.etag !== link.etag)) continue; // changed meanwhile
        await this.putUpdate(link, loaded, current.body, link.etag, undefined);
      }
    }
    for (const candidate of await candidateRecords(db, authority, {
      id: user.id,
      addresses: user.addresses,
    })) {
      if (linkedKeys.has(recordKey(candidate.record.type, candidate.id))) continue;
      await this.putNew(candidate, undefined);
    }
  }

  private collectionFor(type: ActRecordType): string {
    const { collections } = this.ctx;
    return type === 'contact'
      ? collections.addressBook
      : type === 'task'
        ? collections.taskCalendar
        : collections.eventCalendar;
  }

  private async putNew(loaded: LoadedRecord, link: Link | undefined): Promise<void> {
    const { type } = loaded.record;
    const protocol = protocolOf(type);
    const collection = link?.collectionUrl ?? this.collectionFor(type);
    const href =
      link?.href ??
      new URL(
        `${loaded.id}${type === 'contact' ? '.vcf' : '.ics'}`,
        collection.endsWith('/') ? collection : `${collection}/`,
      ).toString();
    const uid = link?.uid ?? loaded.icalUid ?? loaded.id;
    const hash = recordHash(loaded.record);
    // Written first: an interrupted cycle finds the link and puts the item again, never a second copy.
    await this.inTransaction(async (trx) => {
      const values = {
        collectionUrl: collection,
        etag: null,
        uid,
        recordType: type,
        recordId: loaded.id,
        recordHash: hash,
        status: 'synced' as const,
        subject: itemName(loaded.record).slice(0, 500),
        updatedAt: new Date(),
      };
      await trx
        .insertInto('actItemLinks')
        .values({ id: newId(), mailboxId: this.ctx.mailbox.id, href, ...values })
        .onConflict((oc) => oc.columns(['mailboxId', 'href']).doUpdateSet(values))
        .execute();
      if (type !== 'contact') await setIcalUid(trx, loaded.id, uid);
    });
    const body = render(loaded.record, uid, undefined, this.now());
    const result = await this.ctx.client.put(protocol, href, body, undefined);
    let etag: string | null;
    if (result === 'conflict') {
      // Already there: our own earlier PUT whose answer was lost. Take its ETag; the next cycle compares.
      etag = await this.ctx.client.etagOf(protocol, href);
    } else {
      etag = result.etag ?? (await this.ctx.client.etagOf(protocol, href));
    }
    await this.inTransaction(async (trx) => {
      await trx
        .updateTable('actItemLinks')
        .set({ etag, syncedAt: new Date(), updatedAt: new Date() })
        .where('mailboxId', '=', this.ctx.mailbox.id)
        .where('href', '=', href)
        .execute();
    });
    this.stats.pushed += 1;
  }

  private async putUpdate(
    link: Link,
    loaded: LoadedRecord,
    base: string,
    ifMatch: string,
    conflict: Record<string, unknown> | undefined,
  ): Promise<void> {
    const protocol = protocolOf(loaded.record.type);
    const body = render(loaded.record, link.uid ?? loaded.icalUid ?? loaded.id, base, this.now());
    const result = await this.ctx.client.put(protocol, link.href, body, ifMatch);
    if (result === 'conflict') {
      this.noteConflict(link.href, itemName(loaded.record), { winner: 'server', reason: 'newerEdit' });
      return;
    }
    const etag = result.etag ?? (await this.ctx.client.etagOf(protocol, link.href));
    await this.inTransaction(async (trx) => {
      await trx
        .updateTable('actItemLinks')
        .set({
          etag,
          recordHash: recordHash(loaded.record),
          syncedAt: new Date(),
          updatedAt: new Date(),
          ...(conflict ? { conflict: JSON.stringify(conflict) } : {}),
        })
        .where('id', '=', link.id)
        .execute();
    });
    this.stats.pushed += 1;
  }
}

/** What a link to an item read from the server says of the item. */
function pulled(link: Link | undefined, collectionUrl: string, item: FetchedItem, parsed: ParsedItem) {
  return {
    link,
    collectionUrl,
    href: item.href,
    etag: item.etag,
    uid: parsed.uid,
    type: parsed.record.type,
    subject: itemName(parsed.record),
  };
}

/**
 * Finds every record that carries one of a batch of email addresses: users,
 * contacts, accounts and leads (each of their three address columns) and
 * queues. One query per table for the whole batch, through the lower(…)
 * indexes of migration 0001.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/connection.js';
import { anyEmailAddressIn } from '../../records/email-addresses.js';
import { normalizeAddress, type PartyCandidate } from './party-resolution.js';

type Reader = Pick<Db, 'selectFrom'>;

/** address (normalized) → every record that has it; addresses without a match are absent. */
export type CandidateIndex = ReadonlyMap<string, readonly PartyCandidate[]>;

export async function lookupCandidates(db: Reader, addresses: Iterable<string>): Promise<CandidateIndex> {
  const wantedSet = new Set([...addresses].map(normalizeAddress));
  wantedSet.delete('');
  const wanted = [...wantedSet];
  const index = new Map<string, PartyCandidate[]>();
  if (wanted.length === 0) return index;
  const add = (address: string | null, candidate: PartyCandidate) => {
    if (address === null) return;
    const key = normalizeAddress(address);
    if (!wantedSet.has(key)) return;
    const list = index.get(key) ?? [];
    // A record with the same address in two of its columns is still one match.
    if (!list.some((existing) => existing.type === candidate.type && existing.id === candidate.id))
      list.push(candidate);
    index.set(key, list);
  };
  const lower = (column: string) => sql<string>`lower(${sql.ref(column)})`;

  const [users, queues, contacts, accounts, leads] = await Promise.all([
    db
      .selectFrom('users')
      .select(['id', 'name', 'emailAddress', 'createdAt', 'incomingEmailFilter'])
      .where(lower('emailAddress'), 'in', wanted)
      .where('disabled', '=', false)
      .execute(),
    db
      .selectFrom('queues')
      .select(['id', 'name', 'emailAddress', 'ownerId', 'createdAt', 'incomingEmailFilter'])
      .where(lower('emailAddress'), 'in', wanted)
      .execute(),
    db
      .selectFrom('contacts')
      .select([
        'id',
        'fullName as name',
        'emailAddress1',
        'emailAddress2',
        'emailAddress3',
        'ownerId',
        'state',
        'createdAt',
      ])
      .where(anyEmailAddressIn(wanted))
      .execute(),
    db
      .selectFrom('accounts')
      .select([
        'id',
        'name',
        'emailAddress1',
        'emailAddress2',
        'emailAddress3',
        'ownerId',
        'state',
        'createdAt',
      ])
      .where(anyEmailAddressIn(wanted))
      .execute(),
    db
      .selectFrom('leads')
      .select([
        'id',
        'fullName as name',
        'emailAddress1',
        'emailAddress2',
        'emailAddress3',
        'ownerId',
        'state',
        'createdAt',
      ])
      .where(anyEmailAddressIn(wanted))
      .execute(),
  ]);

  for (const user of users) {
    add(user.emailAddress, {
      type: 'user',
      id: user.id,
      name: user.name,
      active: true,
      ownerId: null,
      createdAt: user.createdAt,
      filter: user.incomingEmailFilter,
    });
  }
  // Contacts, accounts and leads each have three addresses; an open lead is the active one
  // (qualified and disqualified leads are closed).
  const addRecord = (
    type: 'contact' | 'account' | 'lead',
    row: (typeof contacts)[number] | (typeof accounts)[number] | (typeof leads)[number],
    active: boolean,
  ) => {
    const candidate: PartyCandidate = {
      type,
      id: row.id,
      name: row.name,
      active,
      ownerId: row.ownerId,
      createdAt: row.createdAt,
    };
    for (const address of [row.emailAddress1, row.emailAddress2, row.emailAddress3]) add(address, candidate);
  };
  for (const row of contacts) addRecord('contact', row, row.state === 'active');
  for (const row of accounts) addRecord('account', row, row.state === 'active');
  for (const row of leads) addRecord('lead', row, row.state === 'open');
  for (const queue of queues) {
    add(queue.emailAddress, {
      type: 'queue',
      id: queue.id,
      name: queue.name,
      active: true,
      ownerId: queue.ownerId,
      createdAt: queue.createdAt,
      filter: queue.incomingEmailFilter,
    });
  }
  return index;
}

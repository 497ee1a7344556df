/**
 * Auto-create contacts (reference §3.5 step 11, `AutoCreateContactOnPromote`):
 * when the organization turns it on, the sender of a tracked email that
 * resolves to no record becomes a new contact, owned by the mailbox owner and
 * linked as the email's sender. Only when the owner may create contacts: a
 * missing privilege leaves the sender unresolved rather than failing the
 * email (the email matters more than the contact).
 */
import type { Db } from '../../db/connection.js';
import { newId } from '../../db/ids.js';
import type { OwnerColumns } from './email-writer.js';
import type { AddressEntry } from './parse.js';

export interface AutoContactFacts {
  readonly enabled: boolean;
  /** the sender resolved to some record already */
  readonly senderResolved: boolean;
  readonly senderAddress: string | null;
  /** the owner holds create on contact */
  readonly ownerMayCreate: boolean;
}

export function shouldCreateContact(facts: AutoContactFacts): boolean {
  return facts.enabled && !facts.senderResolved && facts.senderAddress !== null && facts.ownerMayCreate;
}

export interface ContactName {
  readonly firstName: string | null;
  readonly lastName: string;
  readonly fullName: string;
}

/**
 * The name of a contact made from an address: "Ann Lee <a@x>" → Ann / Lee;
 * "Lee, Ann" → Ann / Lee; one word → last name only; no name → the address.
 */
export function contactName(entry: AddressEntry): ContactName {
  const name = entry.name.replace(/\s+/g, ' ').trim().replace(/^"|"$/g, '').trim();
  if (name === '' || name.toLowerCase() === entry.address.toLowerCase()) {
    const lastName = entry.address.slice(0, 200);
    return { firstName: null, lastName, fullName: lastName };
  }
  let firstName: string | null;
  let lastName: string;
  const comma = /^([^,]+),\s*(.+)$/.exec(name);
  if (comma) {
    lastName = comma[1]!.trim();
    firstName = comma[2]!.trim();
  } else {
    const parts = name.split(' ');
    lastName = parts.pop()!;
    firstName = parts.length > 0 ? parts.join(' ') : null;
  }
  firstName = firstName ? firstName.slice(0, 100) : null;
  lastName = lastName.slice(0, 100);
  return { firstName, lastName, fullName: [firstName, lastName].filter(Boolean).join(' ') };
}

export async function insertContact(
  trx: Pick<Db, 'insertInto'>,
  sender: AddressEntry,
  owner: OwnerColumns,
): Promise<{ id: string; name: string }> {
  const name = contactName(sender);
  const id = newId();
  await trx
    .insertInto('contacts')
    .values({
      id,
      firstName: name.firstName,
      lastName: name.lastName,
      fullName: name.fullName,
      emailAddress1: sender.address.slice(0, 320),
      emailAddress2: null,
      emailAddress3: null,
      telephone: null,
      mobilePhone: null,
      jobTitle: null,
      parentAccountId: null,
      ...owner,
    })
    .execute();
  return { id, name: name.fullName };
}

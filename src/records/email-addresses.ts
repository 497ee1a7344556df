/**
 * Contacts, accounts and leads carry three email addresses each; a record
 * "has" an address when any of them matches, whatever the case. One
 * condition for every query that looks records up by address, written so the
 * lower(…) indexes of migration 0001 serve it.
 */
import { sql, type RawBuilder } from 'kysely';

/** The record has one of these addresses (already lower case) in any of its three columns. */
export function anyEmailAddressIn(addresses: readonly string[]): RawBuilder<boolean> {
  const list = sql.join(addresses);
  return sql<boolean>`(lower(email_address1) IN (${list}) OR lower(email_address2) IN (${list}) OR lower(email_address3) IN (${list}))`;
}

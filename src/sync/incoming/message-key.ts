/**
 * The ledger key of a server message: folder, UIDVALIDITY and UID, which
 * together name one message for as long as the server keeps its numbering.
 * After a renumbering (a new UIDVALIDITY) the same message gets a new key;
 * the dedupe key (Message-ID) then recognises it.
 */

export interface MessageLocation {
  readonly folder: string;
  readonly uidValidity: number;
  readonly uid: number;
}

/** `INBOX:1700000000:42` */
export function ledgerKey(location: MessageLocation): string {
  return `${location.folder}:${location.uidValidity}:${location.uid}`;
}

/** The inverse of `ledgerKey`; folder names may contain ':' themselves, so it splits from the right. */
export function parseLedgerKey(key: string): MessageLocation | undefined {
  const match = /^(.+):(\d+):(\d+)$/.exec(key);
  if (!match) return undefined;
  return { folder: match[1]!, uidValidity: Number(match[2]), uid: Number(match[3]) };
}

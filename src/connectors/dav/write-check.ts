/**
 * The read/write half of the ACT probe: put a small item into a collection,
 * read it back, delete it. Two-way synchronization needs all three, and a
 * server may allow listing but refuse writes (a shared, read-only calendar).
 */
import { randomUUID } from 'node:crypto';
import type { DavProtocol } from './failure.js';
import type { DavSession } from './session.js';

export interface TestItem {
  readonly protocol: DavProtocol;
  readonly uid: string;
  readonly fileName: string;
  readonly contentType: string;
  readonly body: string;
}

/** A task dated now: harmless if a client syncs it in the moment before it is deleted. */
export function testTask(now = new Date()): TestItem {
  const uid = `mailroom-probe-${randomUUID()}`;
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return {
    protocol: 'caldav',
    uid,
    fileName: `${uid}.ics`,
    contentType: 'text/calendar; charset=utf-8',
    body: [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Mailroom//connection test//EN',
      'BEGIN:VTODO',
      `UID:${uid}`,
      `DTSTAMP:${stamp}`,
      'SUMMARY:Mailroom connection test',
      'STATUS:NEEDS-ACTION',
      'END:VTODO',
      'END:VCALENDAR',
      '',
    ].join('\r\n'),
  };
}

export function testContact(): TestItem {
  const uid = `mailroom-probe-${randomUUID()}`;
  return {
    protocol: 'carddav',
    uid,
    fileName: `${uid}.vcf`,
    contentType: 'text/vcard; charset=utf-8',
    body: [
      'BEGIN:VCARD',
      'VERSION:3.0',
      `UID:${uid}`,
      'FN:Mailroom connection test',
      'N:connection test;Mailroom;;;',
      'END:VCARD',
      '',
    ].join('\r\n'),
  };
}

/** PUT (only if absent), GET and compare, DELETE. Fails with the step that failed. */
export async function checkReadWrite(
  session: DavSession,
  collectionUrl: string,
  item: TestItem,
): Promise<void> {
  const url = new URL(
    item.fileName,
    collectionUrl.endsWith('/') ? collectionUrl : `${collectionUrl}/`,
  ).toString();
  const { protocol } = item;
  await session.request(
    { protocol, stage: 'write', method: 'PUT', url },
    { headers: { 'content-type': item.contentType, 'if-none-match': '*' }, body: item.body },
    [200, 201, 204],
  );
  const remove = (): Promise<Response> =>
    session.request({ protocol, stage: 'write', method: 'DELETE', url }, {}, [200, 204, 404]);
  try {
    const read = await session.request({ protocol, stage: 'read', method: 'GET', url }, {}, [200]);
    if (!(await read.text()).includes(item.uid)) {
      throw session.mismatch(
        { protocol, stage: 'read', method: 'GET', url },
        'the item read back is not the one written',
      );
    }
  } catch (error) {
    // Clean up, but report the read failure rather than any failure to delete.
    await remove().catch(() => undefined);
    throw error;
  }
  await remove();
}

// The IMAP source's fetch against Dovecot: what it reports with and without the summaries the
// pipeline already has from `list`.

import { describe, expect, it } from 'vitest';
import { processMetrics } from '../../../src/observability/metrics.js';
import { openImapSource, type MessageSummary } from '../../../src/sync/incoming/imap-source.js';
import { createMailUser, deliverMail } from '../../support/mail-users.js';
import { rawMessage, serverEndpoint, servers } from '../connectors/helpers.js';

/** mailroom_imap_body_downloads_total, by reader */
async function downloadsByReader(): Promise<Record<string, number>> {
  const metric = await processMetrics.getSingleMetric('mailroom_imap_body_downloads_total')?.get();
  return Object.fromEntries(
    (metric?.values ?? []).map((value) => [String(value.labels.reader), value.value]),
  );
}

describe('IMAP source fetch', () => {
  it('asks the server for sizes and dates only when the caller does not know them', async () => {
    const user = await createMailUser('source-fetch');
    await deliverMail(rawMessage(user.email, 'first'), user.email);
    await deliverMail(rawMessage(user.email, 'second'), user.email);
    const source = await openImapSource(serverEndpoint(servers().imap, 'none'), user);
    try {
      const listed = await source.list(1);
      expect(listed).toHaveLength(2);
      const uids = listed.map((summary) => summary.uid);

      // Without summaries: the server's own RFC822.SIZE and INTERNALDATE, as `list` saw them.
      const plain = await source.fetch(uids);
      expect(plain.map(({ uid, size, receivedAt }) => ({ uid, size, receivedAt }))).toEqual(listed);
      expect(plain.map((message) => message.source.length)).toEqual(listed.map((summary) => summary.size));
      expect(plain[1]!.source.toString()).toContain('Subject: second');

      // With every summary known, those are what comes back (the marker date proves it), bodies the same.
      const marker = new Date('2001-02-03T04:05:06Z');
      const known = new Map<number, MessageSummary>(
        listed.map((summary) => [summary.uid, { ...summary, receivedAt: marker }]),
      );
      const before = await downloadsByReader();
      const withKnown = await source.fetch(uids, known);
      // Read by Mailroom's own reader on the borrowed connection, and counted as such.
      const after = await downloadsByReader();
      expect((after.mailroom ?? 0) - (before.mailroom ?? 0)).toBe(1);
      expect(after.imapflow ?? 0).toBe(before.imapflow ?? 0);
      expect(withKnown.map((message) => message.receivedAt)).toEqual([marker, marker]);
      expect(withKnown.map((message) => message.source.toString())).toEqual(
        plain.map((message) => message.source.toString()),
      );

      // One summary missing: the server is asked for all of them again.
      const partial = await source.fetch(uids, new Map([[uids[0]!, known.get(uids[0]!)!]]));
      expect(partial.map((message) => message.receivedAt)).toEqual(
        listed.map((summary) => summary.receivedAt),
      );
    } finally {
      await source.close();
    }
  });
});

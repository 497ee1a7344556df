import { describe, expect, it } from 'vitest';
import { planBatches, type BatchLimits } from '../../../src/sync/incoming/batches.js';
import { planFolderSync } from '../../../src/sync/incoming/cursor.js';
import {
  decideDedupe,
  dedupeKeyFor,
  messageIdList,
  normalizeMessageId,
} from '../../../src/sync/incoming/dedupe.js';
import { uidSet } from '../../../src/sync/incoming/imap-source.js';
import {
  HARD_SIZE_LIMIT_KB,
  isTooLarge,
  itemOutcome,
  sizeLimitKb,
} from '../../../src/sync/incoming/item-policy.js';
import { ledgerKey, parseLedgerKey } from '../../../src/sync/incoming/message-key.js';
import { effectiveWatermark, isBeforeWatermark } from '../../../src/sync/incoming/watermark.js';

describe('watermark', () => {
  const early = new Date('2026-01-01T00:00:00Z');
  const late = new Date('2026-03-01T00:00:00Z');

  it('is the later of the profile and mailbox dates', () => {
    expect(effectiveWatermark(early, late)).toBe(late);
    expect(effectiveWatermark(late, early)).toBe(late);
    expect(effectiveWatermark(null, early)).toBe(early);
    expect(effectiveWatermark(early, null)).toBe(early);
    expect(effectiveWatermark(null, null)).toBeNull();
  });

  it('skips mail received strictly before it, and mail of unknown date never', () => {
    expect(isBeforeWatermark(new Date('2026-02-28T23:59:59Z'), late)).toBe(true);
    expect(isBeforeWatermark(late, late)).toBe(false);
    expect(isBeforeWatermark(new Date('2026-03-02T00:00:00Z'), late)).toBe(false);
    expect(isBeforeWatermark(null, late)).toBe(false);
    expect(isBeforeWatermark(new Date('garbage'), late)).toBe(false);
    expect(isBeforeWatermark(early, null)).toBe(false);
  });
});

describe('ledger key', () => {
  it('names folder, UIDVALIDITY and UID, and reads back', () => {
    const key = ledgerKey({ folder: 'INBOX', uidValidity: 1_700_000_000, uid: 42 });
    expect(key).toBe('INBOX:1700000000:42');
    expect(parseLedgerKey(key)).toEqual({ folder: 'INBOX', uidValidity: 1_700_000_000, uid: 42 });
  });

  it('keeps folder names that contain colons', () => {
    const key = ledgerKey({ folder: 'Archive:2026', uidValidity: 7, uid: 1 });
    expect(parseLedgerKey(key)).toEqual({ folder: 'Archive:2026', uidValidity: 7, uid: 1 });
    expect(parseLedgerKey('nonsense')).toBeUndefined();
  });
});

describe('dedupe', () => {
  it('normalizes Message-IDs to one bracketed form', () => {
    expect(normalizeMessageId('<abc@example.test>')).toBe('<abc@example.test>');
    expect(normalizeMessageId('  <abc@ex\r\n ample.test> (comment)')).toBe('<abc@example.test>');
    expect(normalizeMessageId('abc@example.test')).toBe('<abc@example.test>');
    expect(normalizeMessageId('')).toBeNull();
    expect(normalizeMessageId('<>')).toBeNull();
    expect(normalizeMessageId(undefined)).toBeNull();
  });

  it('lists the ids of a References header once each, in order', () => {
    expect(messageIdList('<a@x> <b@x>\r\n <a@x>')).toEqual(['<a@x>', '<b@x>']);
    expect(messageIdList('bare@x')).toEqual(['<bare@x>']);
    expect(messageIdList(undefined)).toEqual([]);
  });

  it('keys by Message-ID, or by content when there is none', () => {
    const content = {
      from: 'A@x.test',
      to: ['b@x.test', 'c@x.test'],
      cc: [],
      subject: 'Hi',
      date: 'Mon, 1 Jan 2026',
      text: 'Hello  there',
    };
    expect(dedupeKeyFor('<id@x>', content)).toBe('msgid:<id@x>');
    const fp = dedupeKeyFor(null, content);
    expect(fp).toMatch(/^fp:[0-9a-f]{64}$/);
    // The same email as delivered to another recipient: addresses in another order and case, whitespace folded.
    expect(
      dedupeKeyFor(null, {
        ...content,
        from: 'a@x.test',
        to: ['C@x.test', 'b@x.test'],
        text: 'Hello there\n',
      }),
    ).toBe(fp);
    expect(dedupeKeyFor(null, { ...content, subject: 'Other' })).not.toBe(fp);
  });

  it('creates, links to an existing activity, retries failed rows, and leaves settled rows alone', () => {
    expect(decideDedupe({ ledgerStatus: null, existingActivityId: null })).toEqual({ action: 'create' });
    expect(decideDedupe({ ledgerStatus: null, existingActivityId: 'a1' })).toEqual({
      action: 'associate',
      activityId: 'a1',
    });
    expect(decideDedupe({ ledgerStatus: 'failed', existingActivityId: null })).toEqual({ action: 'create' });
    for (const status of ['processed', 'parked', 'skipped'] as const) {
      expect(decideDedupe({ ledgerStatus: status, existingActivityId: 'a1' })).toEqual({ action: 'skip' });
    }
  });
});

describe('item policy', () => {
  it('retries transient item failures up to the limit, then parks them as exhausted', () => {
    expect(itemOutcome('transient', 1)).toEqual({ status: 'failed' });
    expect(itemOutcome('transient', 4)).toEqual({ status: 'failed' });
    expect(itemOutcome('transient', 5)).toEqual({ status: 'parked', exhausted: true });
    expect(itemOutcome('transient', 2, 2)).toEqual({ status: 'parked', exhausted: true });
  });

  it('parks permanent failures and non-failures at once', () => {
    expect(itemOutcome('permanent', 1)).toEqual({ status: 'parked', exhausted: false });
    expect(itemOutcome('none', 1)).toEqual({ status: 'parked', exhausted: false });
  });

  it("uses the organization's size limit, never above 150 MB", () => {
    expect(sizeLimitKb(0)).toBe(HARD_SIZE_LIMIT_KB);
    expect(sizeLimitKb(1024)).toBe(1024);
    expect(sizeLimitKb(10 * HARD_SIZE_LIMIT_KB)).toBe(HARD_SIZE_LIMIT_KB);
    expect(isTooLarge(1024 * 1024, 1024)).toBe(false);
    expect(isTooLarge(1024 * 1024 + 1, 1024)).toBe(true);
  });
});

describe('folder plan', () => {
  it('starts at UID 1 the first time and after a renumbering, otherwise after the cursor', () => {
    expect(planFolderSync(undefined, 5)).toEqual({ kind: 'initial', fromUid: 1 });
    expect(planFolderSync({ uidValidity: 5, lastUid: 41, highestModseq: null }, 5)).toEqual({
      kind: 'continue',
      fromUid: 42,
    });
    expect(planFolderSync({ uidValidity: 5, lastUid: 41, highestModseq: '9' }, 6)).toEqual({
      kind: 'renumbered',
      fromUid: 1,
      previousUidValidity: 5,
    });
  });
});

describe('batches', () => {
  const limits: BatchLimits = {
    watermark: new Date('2026-01-01T00:00:00Z'),
    sizeLimitKb: 100,
    maxMessages: 2,
    maxBytes: 10_000,
  };
  const recent = new Date('2026-02-01T00:00:00Z');
  const old = new Date('2025-12-01T00:00:00Z');

  it('never downloads old or oversized messages, and moves the cursor past them in UID order', () => {
    const batches = planBatches(
      [
        { uid: 5, size: 100, receivedAt: recent },
        { uid: 1, size: 100, receivedAt: old },
        { uid: 3, size: 200 * 1024, receivedAt: recent },
        { uid: 2, size: 100, receivedAt: recent },
        { uid: 7, size: 100, receivedAt: recent },
      ],
      limits,
    );
    expect(batches.map((b) => b.messages.map((m) => `${m.uid}:${m.plan}`))).toEqual([
      ['1:old', '2:fetch', '3:oversized', '5:fetch'],
      ['7:fetch'],
    ]);
    expect(batches.map((b) => b.lastUid)).toEqual([5, 7]);
  });

  it('closes a batch before it would exceed the byte budget, and gives a large message a batch of its own', () => {
    const batches = planBatches(
      [
        { uid: 1, size: 6000, receivedAt: recent },
        { uid: 2, size: 6000, receivedAt: recent },
        { uid: 3, size: 50_000, receivedAt: recent },
        { uid: 4, size: 10, receivedAt: recent },
      ],
      limits,
    );
    expect(batches.map((b) => b.messages.map((m) => m.uid))).toEqual([[1], [2], [3], [4]]);
  });

  it('makes no batch of nothing', () => {
    expect(planBatches([], limits)).toEqual([]);
  });
});

describe('uidSet', () => {
  it('compresses runs of UIDs', () => {
    expect(uidSet([9, 1, 2, 3, 5, 8, 3])).toBe('1:3,5,8:9');
    expect(uidSet([4])).toBe('4');
    expect(uidSet([])).toBe('');
  });
});

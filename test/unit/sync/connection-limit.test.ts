import { describe, expect, it } from 'vitest';
import { withinProfileLimits, type LimitCandidate } from '../../../src/sync/connection-limit.js';

const candidate = (id: string, profileId: string | null, maxConnections: number | null): LimitCandidate => ({
  id,
  profileId,
  maxConnections,
});

describe('withinProfileLimits', () => {
  it('keeps at most the free connections of each profile, in the given order', () => {
    const candidates = [
      candidate('a1', 'A', 2),
      candidate('b1', 'B', 5),
      candidate('a2', 'A', 2),
      candidate('a3', 'A', 2),
      candidate('b2', 'B', 5),
    ];
    const chosen = withinProfileLimits(candidates, new Map([['A', 1]]));
    expect(chosen.map((c) => c.id)).toEqual(['a1', 'b1', 'b2']);
  });

  it('takes nothing from a profile whose limit is already in use', () => {
    const chosen = withinProfileLimits(
      [candidate('a1', 'A', 2), candidate('a2', 'A', 2)],
      new Map([['A', 2]]),
    );
    expect(chosen).toEqual([]);
  });

  it('never lets a profile over its limit even when leases outnumber it (limit lowered while cycles ran)', () => {
    expect(withinProfileLimits([candidate('a1', 'A', 1)], new Map([['A', 3]]))).toEqual([]);
  });

  it('does not limit mailboxes without a profile (their cycles fail their preconditions)', () => {
    const chosen = withinProfileLimits(
      [candidate('x', null, null), candidate('y', null, null)],
      new Map(),
    );
    expect(chosen.map((c) => c.id)).toEqual(['x', 'y']);
  });

  it('treats a limit below 1 as 1, so a profile is never starved', () => {
    expect(withinProfileLimits([candidate('a', 'A', 0), candidate('b', 'A', 0)], new Map())).toHaveLength(1);
  });
});

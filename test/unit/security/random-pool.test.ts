import { describe, expect, it } from 'vitest';
import { randomBytesFromPool } from '../../../src/security/random-pool.js';

describe('randomBytesFromPool', () => {
  it('hands out fresh bytes across many block refills, never the same draw twice', () => {
    const seen = new Set<string>();
    // 16 bytes at a time over several 8 KB blocks: a repeat would mean a block reused.
    for (let draw = 0; draw < 5000; draw++) seen.add(randomBytesFromPool(16).toString('hex'));
    expect(seen.size).toBe(5000);
  });

  it('gives each caller its own copy: a later refill of the block leaves it as it was', () => {
    const first = randomBytesFromPool(8);
    const copy = Buffer.from(first);
    for (let draw = 0; draw < 2048; draw++) randomBytesFromPool(16);
    expect(first.equals(copy)).toBe(true);
  });

  it('refuses more than a block at once', () => {
    expect(() => randomBytesFromPool(8193)).toThrow(RangeError);
    expect(randomBytesFromPool(8192)).toHaveLength(8192);
  });
});

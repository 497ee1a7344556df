/**
 * Cryptographically random bytes, drawn from a block filled a few kilobytes
 * at a time. Asking the system for 16 bytes per record id cost a few percent
 * of the sync's main thread; one fill serves hundreds of ids. Every byte is
 * handed out once.
 */
import { randomFillSync } from 'node:crypto';

const BLOCK_BYTES = 8192;
const block = Buffer.allocUnsafe(BLOCK_BYTES);
let used = BLOCK_BYTES;

/** `size` fresh random bytes (at most one block), in a buffer of the caller's own. */
export function randomBytesFromPool(size: number): Buffer {
  if (size > BLOCK_BYTES) throw new RangeError(`at most ${BLOCK_BYTES} random bytes at a time`);
  if (used + size > BLOCK_BYTES) {
    randomFillSync(block);
    used = 0;
  }
  const bytes = Buffer.from(block.subarray(used, used + size));
  used += size;
  return bytes;
}

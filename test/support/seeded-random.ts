/**
 * A small seeded pseudo-random generator (mulberry32) for the benchmarks'
 * corpora and the tests that draw at random: the same seed gives the same
 * numbers, so a run (or a failing test, given its seed) can be repeated.
 * Not for anything secret.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

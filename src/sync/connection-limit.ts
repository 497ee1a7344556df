/**
 * The email server profile's limit on concurrent connections, applied when
 * workers claim mailbox channels. Pure: the claim (scheduler.ts) gathers the
 * candidates and the profiles' live leases under a per-profile lock, and this
 * decides which candidates fit.
 *
 * What counts: every live cycle lease (incoming, outgoing and ACT) of the
 * profile's mailboxes, across all workers; each cycle holds one connection
 * to one of the profile's servers. IMAP IDLE connections do not count (one
 * per mailbox for as long as it is watched; see docs/sync.md), nor do Test &
 * Enable probes.
 */

export interface LimitCandidate {
  readonly id: string;
  /** null: no profile, so no limit (the cycle fails its preconditions quickly) */
  readonly profileId: string | null;
  readonly maxConnections: number | null;
}

/**
 * The candidates that may start, in their given order: for each profile, no
 * more than its limit minus the connections already in use.
 */
export function withinProfileLimits(
  candidates: readonly LimitCandidate[],
  inUse: ReadonlyMap<string, number>,
): LimitCandidate[] {
  const taken = new Map<string, number>();
  const chosen: LimitCandidate[] = [];
  for (const candidate of candidates) {
    const { profileId, maxConnections } = candidate;
    if (profileId === null || maxConnections === null) {
      chosen.push(candidate);
      continue;
    }
    const used = (inUse.get(profileId) ?? 0) + (taken.get(profileId) ?? 0);
    if (used >= Math.max(1, maxConnections)) continue;
    taken.set(profileId, (taken.get(profileId) ?? 0) + 1);
    chosen.push(candidate);
  }
  return chosen;
}

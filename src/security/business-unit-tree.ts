/**
 * The business unit tree, built once from the unit rows and then queried by
 * the privilege engine on every parent-child check. Building precomputes, for
 * every unit, the set of units at or below it, so `subtree()` is a map lookup.
 *
 * Bad input is rejected with a clear error rather than tolerated silently:
 * a duplicate id, a parent that does not exist, or a loop in the parent links
 * (which would otherwise make "everything below" undefined).
 */
import type { BusinessUnitTree, Id } from './model.js';

export interface BusinessUnitRow {
  readonly id: Id;
  readonly parentId: Id | null;
}

/** The tree, plus a few read-only helpers for the data layer and the console. */
export interface BuiltBusinessUnitTree extends BusinessUnitTree {
  /** every unit id, in input order */
  readonly ids: readonly Id[];
  /** units without a parent (normally exactly one: the root) */
  readonly roots: readonly Id[];
  has(unitId: Id): boolean;
  /** the parent of a unit; null for a root, undefined for an unknown unit */
  parentOf(unitId: Id): Id | null | undefined;
}

/** The parent links of some units form a loop. `cycle` lists it, starting and ending with the same id. */
export class BusinessUnitCycleError extends Error {
  readonly cycle: readonly Id[];
  constructor(cycle: readonly Id[]) {
    super(`business unit tree has a cycle in its parent links: ${cycle.join(' -> ')}`);
    this.name = 'BusinessUnitCycleError';
    this.cycle = cycle;
  }
}

const EMPTY: ReadonlySet<Id> = new Set<Id>();

export function buildBusinessUnitTree(units: readonly BusinessUnitRow[]): BuiltBusinessUnitTree {
  const parent = new Map<Id, Id | null>();
  for (const unit of units) {
    if (parent.has(unit.id)) throw new Error(`business unit ${unit.id} appears twice`);
    parent.set(unit.id, unit.parentId);
  }
  for (const unit of units) {
    if (unit.parentId !== null && !parent.has(unit.parentId)) {
      throw new Error(`business unit ${unit.id} has parent ${unit.parentId}, which does not exist`);
    }
  }

  // Cycle check: walk up from every unit; a unit met twice on the current walk closes a loop.
  // Units proven to lead to a root are remembered so the whole check stays linear.
  const reachesRoot = new Set<Id>();
  for (const unit of units) {
    const path: Id[] = [];
    const onPath = new Map<Id, number>();
    let current: Id | null = unit.id;
    while (current !== null && !reachesRoot.has(current)) {
      const seenAt = onPath.get(current);
      if (seenAt !== undefined) throw new BusinessUnitCycleError([...path.slice(seenAt), current]);
      onPath.set(current, path.length);
      path.push(current);
      current = parent.get(current) ?? null;
    }
    for (const id of path) reachesRoot.add(id);
  }

  // Every unit belongs to its own subtree and to the subtree of each of its ancestors.
  const subtrees = new Map<Id, Set<Id>>();
  for (const unit of units) subtrees.set(unit.id, new Set<Id>());
  for (const unit of units) {
    let current: Id | null = unit.id;
    while (current !== null) {
      subtrees.get(current)!.add(unit.id);
      current = parent.get(current) ?? null;
    }
  }

  const ids = units.map((u) => u.id);
  const roots = units.filter((u) => u.parentId === null).map((u) => u.id);
  return {
    ids,
    roots,
    subtree: (unitId) => subtrees.get(unitId) ?? EMPTY,
    has: (unitId) => parent.has(unitId),
    parentOf: (unitId) => parent.get(unitId),
  };
}

/**
 * Property tests over random trees, principals and records (seeded, so any
 * failure is reproducible): reach agrees with decide, decide agrees with a
 * deliberately naive re-statement of the rules, and wider grants never deny
 * what narrower ones allow.
 */
import { describe, expect, it } from 'vitest';
import type { AccessRight, Depth, Entity, Privilege } from '../../../src/security/catalogue.js';
import {
  DEPTHS,
  ENTITY_OWNERSHIP,
  SPECIAL_PRIVILEGES,
  depthRank,
  privilegeKey,
  recordPrivilege,
  specialPrivilege,
} from '../../../src/security/catalogue.js';
import { buildBusinessUnitTree } from '../../../src/security/business-unit-tree.js';
import type { BuiltBusinessUnitTree } from '../../../src/security/business-unit-tree.js';
import { decide, reach, reachIncludes } from '../../../src/security/engine.js';
import type {
  DenialReason,
  Principal,
  RecordOwnership,
  RoleSnapshot,
  TeamSnapshot,
} from '../../../src/security/model.js';
import { prng } from './fixtures.js';

const ENTITY_POOL: readonly Entity[] = ['contact', 'mailbox', 'user', 'team', 'organization', 'businessUnit'];
const RIGHT_POOL: readonly AccessRight[] = ['read', 'write', 'create'];
const PRIVILEGE_POOL: readonly Privilege[] = [
  ...ENTITY_POOL.flatMap((e) => RIGHT_POOL.map((r) => recordPrivilege(r, e))),
  ...SPECIAL_PRIVILEGES.map((s) => specialPrivilege(s)),
];
const USER_IDS = ['u0', 'u1', 'u2', 'u3'];
const TEAM_IDS = ['t0', 't1', 't2'];

class Gen {
  constructor(readonly next: () => number) {}
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }

  tree(): { tree: BuiltBusinessUnitTree; units: string[]; parent: Map<string, string | null> } {
    const n = 2 + this.int(10);
    const rows = Array.from({ length: n }, (_, i) => ({
      id: `bu${i}`,
      parentId: i === 0 ? null : `bu${this.int(i)}`,
    }));
    // list them in a random order: building must not depend on parents coming first
    for (let i = rows.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [rows[i], rows[j]] = [rows[j]!, rows[i]!];
    }
    return {
      tree: buildBusinessUnitTree(rows),
      units: rows.map((r) => r.id),
      parent: new Map(rows.map((r) => [r.id, r.parentId])),
    };
  }

  role(i: number): RoleSnapshot {
    const grants = new Map<string, Depth>();
    const count = this.int(5);
    for (let k = 0; k < count; k++) grants.set(privilegeKey(this.pick(PRIVILEGE_POOL)), this.pick(DEPTHS));
    return {
      id: `r${i}`,
      name: `Role${i}`,
      grants,
      memberInheritance: this.chance(0.5) ? 'team' : 'directUser',
    };
  }

  roles(max: number): RoleSnapshot[] {
    return Array.from({ length: this.int(max + 1) }, (_, i) => this.role(i));
  }

  principal(units: readonly string[]): Principal {
    if (this.chance(0.3)) {
      return {
        kind: 'team',
        id: this.pick(TEAM_IDS),
        name: 'T',
        businessUnitId: this.pick(units),
        roles: this.roles(2),
      };
    }
    const teams: TeamSnapshot[] = Array.from({ length: this.int(3) }, () => ({
      id: this.pick(TEAM_IDS),
      name: 'Team',
      businessUnitId: this.pick(units),
      roles: this.roles(2),
    }));
    return {
      kind: 'user',
      id: this.pick(USER_IDS),
      name: 'U',
      businessUnitId: this.pick(units),
      disabled: this.chance(0.08),
      roles: this.roles(2),
      teams,
    };
  }

  record(units: readonly string[]): RecordOwnership {
    const entity = this.pick(ENTITY_POOL);
    const ownerId = this.chance(0.15) ? undefined : this.pick([...USER_IDS, ...TEAM_IDS]);
    const businessUnitId = this.chance(0.1) ? undefined : this.chance(0.05) ? 'elsewhere' : this.pick(units);
    return { entity, ownerId, businessUnitId };
  }

  privilegeFor(entity: Entity): Privilege {
    return this.chance(0.8)
      ? recordPrivilege(this.pick(RIGHT_POOL), entity)
      : specialPrivilege(this.pick(SPECIAL_PRIVILEGES));
  }
}

/** The rules written out as plainly as possible, without any of the engine's shortcuts. */
function oracle(
  principal: Principal,
  privilege: Privilege,
  record: RecordOwnership,
  parent: ReadonlyMap<string, string | null>,
): { allowed: true; depth: Depth } | { allowed: false; reason: DenialReason } {
  if (principal.kind === 'user' && principal.disabled) return { allowed: false, reason: 'principalDisabled' };
  type Scope = { role: RoleSnapshot; ownerId: string; unit: string; userOnly: boolean };
  const scopes: Scope[] = principal.roles.map((role) => ({
    role,
    ownerId: principal.id,
    unit: principal.businessUnitId,
    userOnly: false,
  }));
  if (principal.kind === 'user') {
    for (const t of principal.teams) {
      for (const role of t.roles) {
        scopes.push({ role, ownerId: t.id, unit: t.businessUnitId, userOnly: false });
        if (role.memberInheritance === 'directUser') {
          scopes.push({ role, ownerId: principal.id, unit: principal.businessUnitId, userOnly: true });
        }
      }
    }
  }
  if (scopes.length === 0) return { allowed: false, reason: 'noRoles' };
  const key = privilegeKey(privilege);
  const isAtOrBelow = (unit: string | undefined, top: string): boolean => {
    for (let u: string | null | undefined = unit; u !== undefined && u !== null; u = parent.get(u)) {
      if (u === top) return true;
    }
    return false;
  };
  let granted = false;
  let best: Depth | undefined;
  for (const scope of scopes) {
    const raw = scope.role.grants.get(key) ?? 'none';
    if (raw === 'none') continue;
    granted = true;
    const depth: Depth = scope.userOnly ? 'user' : raw;
    const owns = record.ownerId === scope.ownerId;
    const reaches =
      ENTITY_OWNERSHIP[record.entity] === 'organization' ||
      depth === 'organization' ||
      owns ||
      (depth === 'businessUnit' && record.businessUnitId === scope.unit) ||
      (depth === 'parentChild' && isAtOrBelow(record.businessUnitId, scope.unit));
    if (reaches && (best === undefined || depthRank(depth) > depthRank(best))) best = depth;
  }
  if (!granted) return { allowed: false, reason: 'privilegeMissing' };
  return best === undefined
    ? { allowed: false, reason: 'depthInsufficient' }
    : { allowed: true, depth: best };
}

/** JSON for failure messages, with role grant maps spelled out */
const show = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (v instanceof Map ? Object.fromEntries(v) : v));

describe('privilege engine properties', () => {
  it('reach agrees with decide, and decide with the plain statement of the rules', () => {
    const gen = new Gen(prng(20240611));
    let cases = 0;
    let allowed = 0;
    const reasons = new Map<string, number>();
    for (let round = 0; round < 60; round++) {
      const { tree, units, parent } = gen.tree();
      for (let p = 0; p < 25; p++) {
        const principal = gen.principal(units);
        for (let r = 0; r < 12; r++) {
          const record = gen.record(units);
          const privilege = gen.privilegeFor(record.entity);
          const decision = decide(principal, privilege, record, tree);
          const expected = oracle(principal, privilege, record, parent);
          const context = show({ principal, privilege, record });
          expect(reachIncludes(reach(principal, privilege, record.entity, tree), record), context).toBe(
            decision.allowed,
          );
          if (decision.allowed) {
            expect(expected, context).toEqual({ allowed: true, depth: decision.depth });
            allowed++;
          } else {
            expect(expected, context).toEqual({ allowed: false, reason: decision.reason });
            reasons.set(decision.reason, (reasons.get(decision.reason) ?? 0) + 1);
          }
          cases++;
        }
      }
    }
    expect(cases).toBe(18_000);
    // the generator must exercise every outcome, or the property proves little
    expect(allowed).toBeGreaterThan(1000);
    for (const reason of ['principalDisabled', 'noRoles', 'privilegeMissing', 'depthInsufficient']) {
      expect(reasons.get(reason) ?? 0, reason).toBeGreaterThan(100);
    }
  });

  it('widening a grant never denies what was allowed', () => {
    const gen = new Gen(prng(7));
    let checked = 0;
    for (let round = 0; round < 3000; round++) {
      const { tree, units } = gen.tree();
      const record = gen.record(units);
      const privilege = gen.privilegeFor(record.entity);
      const key = privilegeKey(privilege);
      const depths = DEPTHS.filter((d) => d !== 'none');
      const teamScoped = gen.chance(0.5);
      const unit = gen.pick(units);
      const teamUnit = gen.pick(units);
      const inheritance = gen.chance(0.5) ? 'team' : 'directUser';
      const results = depths.map((depth) => {
        const role: RoleSnapshot = {
          id: 'r',
          name: 'R',
          grants: new Map([[key, depth]]),
          memberInheritance: inheritance,
        };
        const principal: Principal = teamScoped
          ? {
              kind: 'user',
              id: 'u0',
              name: 'U',
              businessUnitId: unit,
              disabled: false,
              roles: [],
              teams: [{ id: 't0', name: 'T', businessUnitId: teamUnit, roles: [role] }],
            }
          : {
              kind: 'user',
              id: 'u0',
              name: 'U',
              businessUnitId: unit,
              disabled: false,
              roles: [role],
              teams: [],
            };
        return decide(principal, privilege, record, tree).allowed;
      });
      for (let i = 1; i < results.length; i++) {
        if (results[i - 1]) expect(results[i]).toBe(true);
      }
      expect(results[results.length - 1]).toBe(true); // organization depth reaches everything
      checked++;
    }
    expect(checked).toBe(3000);
  });
});

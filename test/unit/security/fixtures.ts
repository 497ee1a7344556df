import type { Depth, Privilege } from '../../../src/security/catalogue.js';
import { privilegeKey } from '../../../src/security/catalogue.js';
import { buildBusinessUnitTree } from '../../../src/security/business-unit-tree.js';
import type {
  MemberInheritance,
  RoleSnapshot,
  TeamPrincipal,
  TeamSnapshot,
  UserPrincipal,
} from '../../../src/security/model.js';

/**
 *   root
 *   ├── sales
 *   │   ├── salesEU
 *   │   │   └── salesEUNorth
 *   │   └── salesUS
 *   └── support
 *       └── supportL2
 */
export const tree = buildBusinessUnitTree([
  { id: 'root', parentId: null },
  { id: 'sales', parentId: 'root' },
  { id: 'salesEU', parentId: 'sales' },
  { id: 'salesEUNorth', parentId: 'salesEU' },
  { id: 'salesUS', parentId: 'sales' },
  { id: 'support', parentId: 'root' },
  { id: 'supportL2', parentId: 'support' },
]);

let roleCounter = 0;

export function role(
  name: string,
  grants: readonly (readonly [Privilege, Depth])[],
  memberInheritance: MemberInheritance = 'team',
): RoleSnapshot {
  roleCounter += 1;
  return {
    id: `role-${roleCounter}`,
    name,
    memberInheritance,
    grants: new Map(grants.map(([p, d]) => [privilegeKey(p), d])),
  };
}

export function team(
  id: string,
  businessUnitId: string,
  roles: readonly RoleSnapshot[],
  name: string = id,
): TeamSnapshot {
  return { id, name, businessUnitId, roles };
}

export function user(
  id: string,
  businessUnitId: string,
  roles: readonly RoleSnapshot[],
  teams: readonly TeamSnapshot[] = [],
  disabled = false,
): UserPrincipal {
  return { kind: 'user', id, name: id, businessUnitId, disabled, roles, teams };
}

export function teamPrincipal(
  id: string,
  businessUnitId: string,
  roles: readonly RoleSnapshot[],
): TeamPrincipal {
  return { kind: 'team', id, name: id, businessUnitId, roles };
}

/** Seeded PRNG (mulberry32): deterministic sequences for property tests. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

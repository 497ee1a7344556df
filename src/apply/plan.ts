/**
 * The pure half of `mailroom apply`: checks across the whole document
 * (duplicates, references, business unit order) and the comparisons that
 * decide whether a record is created, updated or left alone. No database, no
 * clock; `apply.ts` feeds it the current state and acts on its answers.
 */
import type { Depth } from '../security/catalogue.js';
import type { ApplyDocument, BusinessUnitItem, OwnerReference } from './schema.js';

// ---------------------------------------------------------------- kinds and names

export type Kind = 'businessUnit' | 'role' | 'user' | 'team' | 'emailServerProfile' | 'queue' | 'mailbox';

export const KIND_LABEL: Readonly<Record<Kind, string>> = {
  businessUnit: 'business unit',
  role: 'role',
  user: 'user',
  team: 'team',
  emailServerProfile: 'email server profile',
  queue: 'queue',
  mailbox: 'mailbox',
};

const KIND_PLURAL: Readonly<Record<Kind, string>> = {
  businessUnit: 'business units',
  role: 'roles',
  user: 'users',
  team: 'teams',
  emailServerProfile: 'email server profiles',
  queue: 'queues',
  mailbox: 'standalone mailboxes',
};

/** How many records of each kind carry each name (username for users) in the database. */
export type ExistingNames = Readonly<Record<Kind, ReadonlyMap<string, number>>>;

export function countNames(names: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

interface NamedAt {
  readonly kind: Kind;
  readonly name: string;
  readonly path: string;
}

/** Every record the document defines, with its natural key and where. */
export function definitions(document: ApplyDocument): NamedAt[] {
  const found: NamedAt[] = [];
  const add = (kind: Kind, section: string, items: readonly { name: string }[] | undefined) =>
    items?.forEach((item, index) => found.push({ kind, name: item.name, path: `${section}[${index}]` }));
  add('businessUnit', 'businessUnits', document.businessUnits);
  add('role', 'roles', document.roles);
  document.users?.forEach((item, index) =>
    found.push({ kind: 'user', name: item.username, path: `users[${index}]` }),
  );
  add('team', 'teams', document.teams);
  add('emailServerProfile', 'emailServerProfiles', document.emailServerProfiles);
  add('queue', 'queues', document.queues);
  document.mailboxes?.forEach((item, index) => {
    if (item.name !== undefined)
      found.push({ kind: 'mailbox', name: item.name, path: `mailboxes[${index}]` });
  });
  return found;
}

/** Every name the document refers to, with the path of the reference. */
export function references(document: ApplyDocument): NamedAt[] {
  const found: NamedAt[] = [];
  const owner = (value: OwnerReference | undefined, path: string) => {
    if (value) found.push({ kind: value.type, name: value.name, path: `${path}.owner.${value.type}` });
  };
  document.businessUnits?.forEach((item, index) => {
    if (item.parent !== undefined)
      found.push({ kind: 'businessUnit', name: item.parent, path: `businessUnits[${index}].parent` });
  });
  document.roles?.forEach((item, index) => {
    if (item.businessUnit !== undefined) {
      found.push({ kind: 'businessUnit', name: item.businessUnit, path: `roles[${index}].businessUnit` });
    }
  });
  document.users?.forEach((item, index) => {
    const path = `users[${index}]`;
    if (item.businessUnit !== undefined)
      found.push({ kind: 'businessUnit', name: item.businessUnit, path: `${path}.businessUnit` });
    item.roles?.forEach((role, position) =>
      found.push({ kind: 'role', name: role, path: `${path}.roles[${position}]` }),
    );
  });
  document.teams?.forEach((item, index) => {
    const path = `teams[${index}]`;
    if (item.businessUnit !== undefined)
      found.push({ kind: 'businessUnit', name: item.businessUnit, path: `${path}.businessUnit` });
    if (item.administrator != null)
      found.push({ kind: 'user', name: item.administrator, path: `${path}.administrator` });
    item.members?.forEach((user, position) =>
      found.push({ kind: 'user', name: user, path: `${path}.members[${position}]` }),
    );
    item.roles?.forEach((role, position) =>
      found.push({ kind: 'role', name: role, path: `${path}.roles[${position}]` }),
    );
  });
  document.emailServerProfiles?.forEach((item, index) => owner(item.owner, `emailServerProfiles[${index}]`));
  const defaultProfile = document.organization?.defaultEmailServerProfile;
  if (defaultProfile != null) {
    found.push({
      kind: 'emailServerProfile',
      name: defaultProfile,
      path: 'organization.defaultEmailServerProfile',
    });
  }
  document.queues?.forEach((item, index) => owner(item.owner, `queues[${index}]`));
  document.mailboxes?.forEach((item, index) => {
    const path = `mailboxes[${index}]`;
    if (item.for)
      found.push({ kind: item.for.type, name: item.for.name, path: `${path}.for.${item.for.type}` });
    if (item.emailServerProfile != null) {
      found.push({
        kind: 'emailServerProfile',
        name: item.emailServerProfile,
        path: `${path}.emailServerProfile`,
      });
    }
    owner(item.owner, path);
  });
  return found;
}

const quoted = (name: string) => JSON.stringify(name);

/**
 * Everything about names that can be known before touching a record: a name
 * defined twice, a reference to a record that is neither in the file nor in
 * the database, and a name the database holds more than once (apply could not
 * tell which record is meant).
 */
export function checkNames(document: ApplyDocument, existing: ExistingNames): string[] {
  const problems: string[] = [];
  const defined = new Map<string, NamedAt>();
  const key = (kind: Kind, name: string) => `${kind}\u0000${name}`;
  for (const item of definitions(document)) {
    const earlier = defined.get(key(item.kind, item.name));
    if (earlier) {
      problems.push(
        `${item.path}: ${KIND_LABEL[item.kind]} ${quoted(item.name)} is already defined at ${earlier.path}`,
      );
      continue;
    }
    defined.set(key(item.kind, item.name), item);
    const count = existing[item.kind].get(item.name) ?? 0;
    if (count > 1) {
      problems.push(
        `${item.path}: ${count} ${KIND_PLURAL[item.kind]} are named ${quoted(item.name)} in the database; rename all but one so that apply can tell them apart`,
      );
    }
  }
  const subjects = new Map<string, string>();
  document.mailboxes?.forEach((item, index) => {
    if (!item.for) return;
    const path = `mailboxes[${index}]`;
    const subject = key(item.for.type, item.for.name);
    const earlier = subjects.get(subject);
    if (earlier)
      problems.push(
        `${path}: the mailbox for ${item.for.type} ${quoted(item.for.name)} is already defined at ${earlier}`,
      );
    else subjects.set(subject, path);
  });
  for (const reference of references(document)) {
    if (defined.has(key(reference.kind, reference.name))) continue;
    const count = existing[reference.kind].get(reference.name) ?? 0;
    if (count === 0) {
      problems.push(
        `${reference.path}: no ${KIND_LABEL[reference.kind]} named ${quoted(reference.name)} (neither in this file nor in the database)`,
      );
    } else if (count > 1) {
      problems.push(
        `${reference.path}: ${count} ${KIND_PLURAL[reference.kind]} are named ${quoted(reference.name)} in the database; rename all but one so that apply can tell them apart`,
      );
    }
  }
  return problems;
}

/**
 * The order in which to apply the file's business units: a parent defined in
 * the file comes before its children, otherwise file order is kept. A loop of
 * parents is a problem.
 */
export function businessUnitOrder(items: readonly BusinessUnitItem[]): {
  order: number[];
  problems: string[];
} {
  const indexByName = new Map(items.map((item, index) => [item.name, index]));
  const order: number[] = [];
  const state = new Map<number, 'visiting' | 'done'>();
  const problems: string[] = [];
  const visit = (index: number, chain: number[]): void => {
    if (state.get(index) === 'done') return;
    if (state.get(index) === 'visiting') {
      const loop = [...chain.slice(chain.indexOf(index)), index].map((at) => items[at]?.name ?? '?');
      problems.push(`businessUnits[${index}].parent: business units form a loop: ${loop.join(' → ')}`);
      return;
    }
    state.set(index, 'visiting');
    const parent = items[index]?.parent;
    const parentIndex = parent === undefined ? undefined : indexByName.get(parent);
    if (parentIndex !== undefined) visit(parentIndex, [...chain, index]);
    state.set(index, 'done');
    order.push(index);
  };
  items.forEach((_item, index) => visit(index, []));
  return { order, problems };
}

// ---------------------------------------------------------------- comparisons

/** The form in which two field values are compared: dates as ISO text, absent as null. */
export function normalize(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalize);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, item]) => [key, normalize(item)]),
    );
  }
  return value;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

/**
 * Whether a write-only password must be written: `desired` is the file's
 * value (absent: not managed; null: none), `sealed` the stored ciphertext,
 * `open` decrypts it. A ciphertext that no longer opens is rewritten.
 */
export function passwordDiffers(
  desired: string | null | undefined,
  sealed: string | null,
  open: (sealed: string) => string,
): boolean {
  if (desired === undefined) return false;
  if (desired === null) return sealed !== null;
  if (sealed === null) return true;
  try {
    return open(sealed) !== desired;
  } catch {
    return true;
  }
}

/**
 * The names of the fields whose desired value differs from the current one,
 * in the order of `desired`. Fields absent from `desired` are not managed.
 * Fields named in `passwords` are write-only: they are compared through
 * `passwordDiffers` with the stored ciphertext given there.
 */
export function changedFields(
  desired: Readonly<Record<string, unknown>>,
  current: Readonly<Record<string, unknown>>,
  passwords: {
    readonly sealed: Readonly<Record<string, string | null>>;
    readonly open: (sealed: string) => string;
  } = {
    sealed: {},
    open: (sealed) => sealed,
  },
): string[] {
  return Object.entries(desired)
    .filter(([, value]) => value !== undefined)
    .filter(([field, value]) =>
      field in passwords.sealed
        ? passwordDiffers(value as string | null, passwords.sealed[field] ?? null, passwords.open)
        : !sameValue(value, current[field]),
    )
    .map(([field]) => field);
}

/** What to add and remove to turn the current set into the desired one. */
export function diffSet(
  desired: readonly string[],
  current: readonly string[],
): { add: string[]; remove: string[] } {
  const want = new Set(desired);
  const have = new Set(current);
  return {
    add: [...want].filter((item) => !have.has(item)),
    remove: [...have].filter((item) => !want.has(item)),
  };
}

export interface PrivilegeChange {
  readonly key: string;
  readonly from: Depth;
  readonly to: Depth;
}

/**
 * The grants that turn a role's current privileges into the desired full set:
 * changed or new keys at their depth, keys no longer listed at `none`
 * (the form `changePrivileges` takes). A desired `none` is the same as absent.
 */
export function diffPrivileges(
  desired: Readonly<Record<string, Depth>>,
  current: Readonly<Record<string, Depth>>,
): { grants: Record<string, Depth>; changes: PrivilegeChange[] } {
  const grants: Record<string, Depth> = {};
  const changes: PrivilegeChange[] = [];
  for (const [key, depth] of Object.entries(desired)) {
    const from = current[key] ?? 'none';
    if (depth !== from) {
      grants[key] = depth;
      changes.push({ key, from, to: depth });
    }
  }
  for (const [key, depth] of Object.entries(current)) {
    if (!(key in desired) && depth !== 'none') {
      grants[key] = 'none';
      changes.push({ key, from: depth, to: 'none' });
    }
  }
  return { grants, changes };
}

/** `activity:read businessUnit→organization, lead:read removed`, for an output line. */
export function describePrivilegeChanges(changes: readonly PrivilegeChange[]): string {
  return changes
    .map((change) =>
      change.to === 'none'
        ? `-${change.key}`
        : change.from === 'none'
          ? `+${change.key}=${change.to}`
          : `${change.key}=${change.from}→${change.to}`,
    )
    .join(', ');
}

// ---------------------------------------------------------------- new user and queue mailboxes

export interface SubjectMailboxSeed {
  readonly name: string;
  readonly emailAddress: string | null;
  readonly emailServerProfileId: string | null;
}

/**
 * The fields `mailroom apply` manages on the mailbox that a new user or queue
 * gets (see `createDefaultMailbox` and the mailbox column defaults), so that a
 * dry run can compare the file with a mailbox that does not exist yet.
 */
export function newSubjectMailboxView(seed: SubjectMailboxSeed): Record<string, unknown> {
  return {
    name: seed.name,
    emailAddress: seed.emailAddress,
    isForwardMailbox: false,
    emailServerProfileId: seed.emailServerProfileId,
    incomingMethod: 'serverSideSync',
    outgoingMethod: 'serverSideSync',
    actMethod: 'none',
    deleteEmailsAfterProcessing: false,
    incomingFolders: ['INBOX'],
    useIdle: null,
    processEmailReceivedAfter: null,
    allowCredentialsUse: false,
    username: null,
    state: 'active',
  };
}

// ---------------------------------------------------------------- results

export type Outcome = 'created' | 'updated' | 'unchanged';

export interface Counts {
  created: number;
  updated: number;
  unchanged: number;
}

export function summaryLine(counts: Counts): string {
  if (counts.created === 0 && counts.updated === 0) return 'No changes.';
  return `${counts.created} created, ${counts.updated} updated, ${counts.unchanged} unchanged`;
}

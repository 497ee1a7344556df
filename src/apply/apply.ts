/**
 * The side-effecting half of `mailroom apply`: brings the database to the
 * state a validated document describes, through the same ResourceService and
 * assignment functions as the REST API, acting as one user, so the privilege
 * engine authorizes every change exactly as it would an API call.
 *
 * One code path runs twice:
 * 1. a dry pass that writes nothing: it finds each record by its natural key,
 *    compares it with the file, validates every create and update payload
 *    against the resource's own schema, and produces the plan (output lines);
 * 2. unless `dryRun`, a real pass over the same steps that writes, inside one
 *    transaction: a refused change (403) or any other failure rolls back
 *    everything, so a file is applied completely or not at all.
 * Everything that can be known from names and values alone (unknown keys,
 * unknown references, duplicate names, invalid values) therefore fails before
 * the first write.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connection.js';
import { newId } from '../db/ids.js';
import type { Row } from '../db/schema.js';
import { organizationUpdateSchema, updateOrganization } from '../organization/settings.js';
import type { ActorContext, Resource, RowData } from '../resources/definition.js';
import { DomainError } from '../resources/errors.js';
import { definedOnly } from '../resources/ownership.js';
import { RESOURCES } from '../resources/registry.js';
import { parseInput, ResourceService } from '../resources/service.js';
import {
  addTeamMember,
  assignRole,
  removeRole,
  removeTeamMember,
  type RoleHolder,
} from '../security/assignments.js';
import type { Depth } from '../security/catalogue.js';
import { loadBusinessUnitTree, loadUserPrincipal } from '../security/principals.js';
import { businessUnits, roles, teams, users } from '../security/resources.js';
import type { SecretBox } from '../security/secrets.js';
import { emailServerProfiles, mailboxes } from '../mailboxes/resources.js';
import { queues } from '../records/resources.js';
import { ApplyError } from './errors.js';
import {
  businessUnitOrder,
  changedFields,
  checkNames,
  countNames,
  describePrivilegeChanges,
  diffPrivileges,
  diffSet,
  KIND_LABEL,
  newSubjectMailboxView,
  sameValue,
  summaryLine,
  type Counts,
  type ExistingNames,
  type Kind,
  type Outcome,
} from './plan.js';
import type { ApplyDocument, MailboxItem, OwnerReference } from './schema.js';

export interface ApplyTarget {
  readonly db: Db;
  readonly secrets: SecretBox;
}

export interface ApplyOptions {
  /** username to act as; default: the first enabled user holding the System Administrator role */
  readonly as?: string | undefined;
  /** compute and report the plan without writing */
  readonly dryRun?: boolean | undefined;
}

export interface ApplyReport {
  /** one line per change, in the order they are (or would be) made */
  readonly changes: readonly string[];
  readonly counts: Counts;
  /** `N created, N updated, N unchanged`, or `No changes.` */
  readonly summary: string;
  readonly dryRun: boolean;
  /** the username the changes were authorized for */
  readonly actor: string;
}

/** Names and ids of the records apply can refer to, read straight from the database. */
interface Directory {
  /** natural key (username for users) → ids; more than one id means the name is ambiguous */
  readonly ids: Record<Kind, Map<string, string[]>>;
  /** id → natural key, for output lines about removals */
  readonly names: Record<Kind, Map<string, string>>;
}

async function loadDirectory(db: Db): Promise<Directory> {
  const [unitRows, roleRows, userRows, teamRows, profileRows, queueRows, mailboxRows] = await Promise.all([
    db.selectFrom('businessUnits').select(['id', 'name']).execute(),
    db.selectFrom('roles').select(['id', 'name']).execute(),
    db.selectFrom('users').select(['id', 'username as name']).execute(),
    db.selectFrom('teams').select(['id', 'name']).execute(),
    db.selectFrom('emailServerProfiles').select(['id', 'name']).execute(),
    db.selectFrom('queues').select(['id', 'name']).execute(),
    db.selectFrom('mailboxes').select(['id', 'name']).where('regardingId', 'is', null).execute(),
  ]);
  const rowsByKind: Record<Kind, { id: string; name: string }[]> = {
    businessUnit: unitRows,
    role: roleRows,
    user: userRows,
    team: teamRows,
    emailServerProfile: profileRows,
    queue: queueRows,
    mailbox: mailboxRows,
  };
  const ids = {} as Record<Kind, Map<string, string[]>>;
  const names = {} as Record<Kind, Map<string, string>>;
  for (const [kind, rows] of Object.entries(rowsByKind) as [Kind, { id: string; name: string }[]][]) {
    ids[kind] = new Map();
    names[kind] = new Map();
    for (const row of rows) {
      ids[kind].set(row.name, [...(ids[kind].get(row.name) ?? []), row.id]);
      names[kind].set(row.id, row.name);
    }
  }
  return { ids, names };
}

function existingNames(directory: Directory): ExistingNames {
  const counts = {} as Record<Kind, Map<string, number>>;
  for (const [kind, byName] of Object.entries(directory.ids) as [Kind, Map<string, string[]>][]) {
    counts[kind] = countNames([...byName.entries()].flatMap(([name, ids]) => ids.map(() => name)));
  }
  return counts;
}

/** The user apply acts as: the one named, or the first enabled System Administrator. */
export async function resolveActor(
  db: Db,
  username: string | undefined,
): Promise<{ id: string; username: string }> {
  if (username !== undefined) {
    const user = await db
      .selectFrom('users')
      .select(['id', 'username', 'disabled'])
      .where('username', '=', username)
      .executeTakeFirst();
    if (!user) throw new ApplyError([`--as: no user with username ${username}`]);
    if (user.disabled) throw new ApplyError([`--as: user ${username} is disabled`]);
    return { id: user.id, username: user.username };
  }
  const admin = await db
    .selectFrom('users')
    .innerJoin('userRoles', 'userRoles.userId', 'users.id')
    .innerJoin('roles', 'roles.id', 'userRoles.roleId')
    .select(['users.id', 'users.username'])
    .where('roles.predefinedKey', '=', 'systemAdministrator')
    .where('users.disabled', '=', false)
    .orderBy('users.id')
    .executeTakeFirst();
  if (!admin)
    throw new ApplyError([
      'no enabled user holds the System Administrator role; name the user to act as with --as',
    ]);
  return admin;
}

async function actorContext(target: ApplyTarget, actorId: string): Promise<ActorContext> {
  const [actor, tree] = await Promise.all([
    loadUserPrincipal(target.db, actorId),
    loadBusinessUnitTree(target.db),
  ]);
  if (!actor) throw new ApplyError([`the acting user ${actorId} no longer exists`]);
  return { db: target.db, actor, tree, secrets: target.secrets };
}

/**
 * Applies a validated document (see `load.ts`). Throws ApplyError, with the
 * service's DomainError as cause when a change is refused.
 */
export async function applyDocument(
  target: ApplyTarget,
  document: ApplyDocument,
  options: ApplyOptions = {},
): Promise<ApplyReport> {
  const unitOrder = businessUnitOrder(document.businessUnits ?? []);
  const directory = await loadDirectory(target.db);
  const problems = [...checkNames(document, existingNames(directory)), ...unitOrder.problems];
  if (problems.length > 0) throw new ApplyError(problems);
  const actor = await resolveActor(target.db, options.as);

  const plan = await new Run(target, actor, document, unitOrder.order, true).execute();
  if (options.dryRun) return plan;
  return target.db.transaction().execute(async (trx) => {
    // Two applies at once would both create the records they do not find: take turns.
    await sql`SELECT pg_advisory_xact_lock(${APPLY_LOCK})`.execute(trx);
    return new Run({ ...target, db: trx }, actor, document, unitOrder.order, false).execute();
  });
}

/** Advisory lock key held by the writing pass of `mailroom apply` (bootstrap uses 7243001). */
const APPLY_LOCK = 7243002;

// ---------------------------------------------------------------- one pass

const pick = (values: Readonly<Record<string, unknown>>, fields: readonly string[]): RowData =>
  Object.fromEntries(fields.map((field) => [field, values[field]]));

/** The owner as one comparable value, so that a change of owner is one field. */
const ownerKey = (ownerType: unknown, ownerId: unknown) => `${String(ownerType)}:${String(ownerId)}`;

interface Current {
  readonly row: RowData;
  readonly view: RowData;
}

class Run {
  private readonly service = new ResourceService(RESOURCES);
  private readonly changes: string[] = [];
  private readonly counts: Counts = { created: 0, updated: 0, unchanged: 0 };
  private directory!: Directory;
  private ctx!: ActorContext;
  /** dry pass: the mailboxes that users and queues created in this pass would get */
  private readonly plannedMailboxes = new Map<string, RowData>();
  /** dry pass: the mailbox state a planned user update would leave */
  private readonly plannedMailboxStates = new Map<string, string>();
  /** dry pass: the organization's default profile as the organization step would leave it */
  private defaultProfileId: string | null = null;

  constructor(
    private readonly target: ApplyTarget,
    private readonly actor: { readonly id: string; readonly username: string },
    private readonly document: ApplyDocument,
    private readonly unitOrder: readonly number[],
    private readonly dryRun: boolean,
  ) {}

  async execute(): Promise<ApplyReport> {
    this.directory = await loadDirectory(this.target.db);
    this.ctx = await actorContext(this.target, this.actor.id);
    const organization = await this.target.db
      .selectFrom('organization')
      .select('defaultEmailServerProfileId')
      .executeTakeFirst();
    this.defaultProfileId = organization?.defaultEmailServerProfileId ?? null;

    await this.businessUnits();
    await this.roles();
    await this.users();
    await this.teams();
    await this.emailServerProfiles();
    await this.organization();
    await this.queues();
    await this.mailboxes();
    return {
      changes: this.changes,
      counts: { ...this.counts },
      summary: summaryLine(this.counts),
      dryRun: this.dryRun,
      actor: this.actor.username,
    };
  }

  // ------------------------------------------------------------ helpers

  private fail(where: string, message: string): never {
    throw new ApplyError([`${where}: ${message}`]);
  }

  /** Runs one item of the file; errors name the item. */
  private async item(where: string, work: () => Promise<Outcome>): Promise<void> {
    try {
      this.counts[await work()] += 1;
    } catch (error) {
      if (error instanceof ApplyError) throw error;
      if (error instanceof DomainError)
        throw new ApplyError([`${where}: ${error.message}`], { cause: error });
      throw error;
    }
  }

  private change(line: string): void {
    this.changes.push(line);
  }

  /** The id of a record named in the file: existing, created earlier in this pass, or planned. */
  private id(kind: Kind, name: string): string {
    const ids = this.directory.ids[kind].get(name);
    if (ids?.length !== 1 || !ids[0])
      throw new ApplyError([`internal: ${KIND_LABEL[kind]} ${name} is not resolved`]);
    return ids[0];
  }

  private optionalId(kind: Kind, name: string | null | undefined): string | null | undefined {
    return name === undefined || name === null ? name : this.id(kind, name);
  }

  private existingId(kind: Kind, name: string): string | undefined {
    return this.directory.ids[kind].get(name)?.[0];
  }

  private remember(kind: Kind, name: string, id: string): void {
    this.directory.ids[kind].set(name, [id]);
    this.directory.names[kind].set(id, name);
  }

  private nameOf(kind: Kind, id: string): string {
    return this.directory.names[kind].get(id) ?? id;
  }

  /** Validates a payload with the resource's own schema, as the service will; returns the parsed values. */
  private validate(resource: Resource, operation: 'create' | 'update', payload: RowData): RowData {
    const schema = operation === 'create' ? resource.createSchema : resource.updateSchema;
    if (!schema) throw new ApplyError([`internal: ${resource.label} cannot be ${operation}d`]);
    return parseInput(
      schema,
      payload,
      operation === 'create' ? resource.label.toLowerCase() : `${resource.label.toLowerCase()} change`,
    );
  }

  /** A fresh context before each write: earlier writes may have changed the actor's privileges or the tree. */
  private async writeContext(): Promise<ActorContext> {
    this.ctx = await actorContext(this.target, this.actor.id);
    return this.ctx;
  }

  private async current(resource: Resource, id: string): Promise<Current> {
    const row = await this.service.load(this.ctx, resource, id);
    const related = await resource.loadRelated?.(this.ctx, [row as never]);
    return { row, view: resource.toView(row as never, related?.get(id)) };
  }

  private async create(resource: Resource, payload: RowData): Promise<string> {
    if (this.dryRun) return newId();
    const created = await this.service.create(await this.writeContext(), resource, payload);
    return String(created.id);
  }

  private async update(resource: Resource, id: string, patch: RowData): Promise<void> {
    if (this.dryRun) return;
    await this.service.update(await this.writeContext(), resource, id, patch);
  }

  /** Makes the roles held by a user or team the desired set: adds first, so privileges are never lower on the way. */
  private async syncRoles(
    holder: RoleHolder,
    holderId: string,
    label: string,
    desired: readonly string[],
    current: readonly string[],
  ) {
    const { add, remove } = diffSet(desired, current);
    for (const roleId of add) {
      if (!this.dryRun) await assignRole(this.service, await this.writeContext(), holder, holderId, roleId);
      this.change(`assigned role ${this.nameOf('role', roleId)} to ${label}`);
    }
    for (const roleId of remove) {
      if (!this.dryRun) await removeRole(this.service, await this.writeContext(), holder, holderId, roleId);
      this.change(`removed role ${this.nameOf('role', roleId)} from ${label}`);
    }
    return add.length + remove.length > 0;
  }

  /**
   * The common shape of one record: create it when its natural key is new,
   * otherwise update the fields that differ. `desired` holds the managed
   * fields in API form (absent = not managed); `owner` is compared as one field.
   */
  private async upsert(spec: {
    resource: Resource;
    kind: Kind;
    key: string;
    label: string;
    /** fields only sent on create (the natural key, the team type) */
    createOnly: RowData;
    desired: RowData;
    owner?: OwnerReference | undefined;
    /** write-only fields: name → stored ciphertext column */
    passwords?: Readonly<Record<string, string>>;
    /** checks of an existing record before it is compared */
    existing?: (current: Current) => void;
    /** desired state compared separately: the parts of the update line and the patch that sets it */
    extra?: (current: Current | undefined) => { fields: string[]; patch: RowData };
    /** sets and side effects after the record itself; returns whether it changed anything */
    after?: (id: string, outcome: Outcome, current: Current | undefined) => Promise<boolean>;
  }): Promise<Outcome> {
    const ownerFields = spec.owner
      ? { ownerId: this.id(spec.owner.type, spec.owner.name), ownerType: spec.owner.type }
      : {};
    const existingId = this.existingId(spec.kind, spec.key);
    if (existingId === undefined) {
      const payload = definedOnly({
        ...spec.createOnly,
        ...spec.desired,
        ...ownerFields,
        ...spec.extra?.(undefined).patch,
      });
      this.validate(spec.resource, 'create', payload);
      const id = await this.create(spec.resource, payload);
      this.remember(spec.kind, spec.key, id);
      this.change(`created ${spec.label}`);
      await spec.after?.(id, 'created', undefined);
      return 'created';
    }
    const current = await this.current(spec.resource, existingId);
    spec.existing?.(current);
    const desired = this.validate(spec.resource, 'update', definedOnly(spec.desired));
    const passwordColumns = spec.passwords ?? {};
    const fields = changedFields(desired, current.view, {
      sealed: Object.fromEntries(
        Object.entries(passwordColumns).map(([field, column]) => [
          field,
          (current.row[column] as string | null) ?? null,
        ]),
      ),
      open: (sealed) => this.target.secrets.open(sealed),
    });
    const patch = pick(desired, fields);
    if (
      spec.owner &&
      !sameValue(
        ownerKey(ownerFields.ownerType, ownerFields.ownerId),
        ownerKey(current.view.ownerType, current.view.ownerId),
      )
    ) {
      fields.push('owner');
      Object.assign(patch, ownerFields);
    }
    const extra = spec.extra?.(current);
    if (extra && extra.fields.length > 0) {
      fields.push(...extra.fields);
      Object.assign(patch, extra.patch);
    }
    if (fields.length > 0) {
      await this.update(spec.resource, existingId, patch);
      this.change(`updated ${spec.label}: ${fields.join(', ')}`);
    }
    const afterChanged =
      (await spec.after?.(existingId, fields.length > 0 ? 'updated' : 'unchanged', current)) ?? false;
    return fields.length > 0 || afterChanged ? 'updated' : 'unchanged';
  }

  // ------------------------------------------------------------ sections

  private async businessUnits(): Promise<void> {
    const items = this.document.businessUnits ?? [];
    for (const index of this.unitOrder) {
      const item = items[index];
      if (!item) continue;
      const where = `businessUnits[${index}] (${item.name})`;
      await this.item(where, () =>
        this.upsert({
          resource: businessUnits,
          kind: 'businessUnit',
          key: item.name,
          label: `business unit ${item.name}`,
          createOnly: { name: item.name },
          desired: { parentId: this.optionalId('businessUnit', item.parent), disabled: item.disabled },
          existing: ({ view }) => {
            if (view.parentId === null && item.parent !== undefined) {
              this.fail(where, `${item.name} is the root business unit, which has no parent`);
            }
          },
        }),
      );
    }
  }

  private async roles(): Promise<void> {
    for (const [index, item] of (this.document.roles ?? []).entries()) {
      const where = `roles[${index}] (${item.name})`;
      const desiredPrivileges = item.privileges;
      await this.item(where, () =>
        this.upsert({
          resource: roles,
          kind: 'role',
          key: item.name,
          label: `role ${item.name}`,
          createOnly: { name: item.name },
          desired: {
            description: item.description,
            businessUnitId: this.optionalId('businessUnit', item.businessUnit),
            memberInheritance: item.memberInheritance,
          },
          extra: (current) => {
            if (!desiredPrivileges) return { fields: [], patch: {} };
            const { grants, changes } = diffPrivileges(
              desiredPrivileges,
              (current?.view.privileges ?? {}) as Record<string, Depth>,
            );
            if (changes.length === 0) return { fields: [], patch: {} };
            return {
              fields: [`privileges (${describePrivilegeChanges(changes)})`],
              patch: { privileges: grants },
            };
          },
        }),
      );
    }
  }

  private async users(): Promise<void> {
    for (const [index, item] of (this.document.users ?? []).entries()) {
      const where = `users[${index}] (${item.username})`;
      const label = `user ${item.username}`;
      const desired = {
        name: item.name,
        emailAddress: item.emailAddress,
        businessUnitId: this.optionalId('businessUnit', item.businessUnit),
        disabled: item.disabled,
        allowSendAs: item.allowSendAs,
        incomingEmailFilter: item.incomingEmailFilter,
      };
      await this.item(where, () =>
        this.upsert({
          resource: users,
          kind: 'user',
          key: item.username,
          label,
          createOnly: { username: item.username },
          desired,
          after: async (id, outcome, current) => {
            if (this.dryRun)
              this.planSubjectMailbox(
                'user',
                id,
                outcome,
                current,
                item.disabled,
                item.name,
                item.emailAddress,
              );
            if (!item.roles) return false;
            const desiredRoles = item.roles.map((role) => this.id('role', role));
            return this.syncRoles(
              'users',
              id,
              label,
              desiredRoles,
              (current?.view.roleIds ?? []) as string[],
            );
          },
        }),
      );
    }
  }

  private async teams(): Promise<void> {
    for (const [index, item] of (this.document.teams ?? []).entries()) {
      const where = `teams[${index}] (${item.name})`;
      const label = `team ${item.name}`;
      await this.item(where, () =>
        this.upsert({
          resource: teams,
          kind: 'team',
          key: item.name,
          label,
          createOnly: { name: item.name, teamType: item.teamType },
          desired: {
            businessUnitId: this.optionalId('businessUnit', item.businessUnit),
            administratorId: this.optionalId('user', item.administrator),
            emailAddress: item.emailAddress,
          },
          existing: ({ view }) => {
            if (item.teamType !== undefined && item.teamType !== view.teamType) {
              this.fail(where, `teamType cannot change: ${item.name} is an ${String(view.teamType)} team`);
            }
            if (view.teamType === 'access' && item.roles?.length) {
              this.fail(
                where,
                'only owner teams can hold security roles; access teams get access by sharing',
              );
            }
          },
          after: async (id, outcome, current) => {
            if (outcome === 'created' && (item.teamType ?? 'owner') === 'access' && item.roles?.length) {
              this.fail(
                where,
                'only owner teams can hold security roles; access teams get access by sharing',
              );
            }
            let changed = false;
            if (item.members) {
              const { add, remove } = diffSet(
                item.members.map((username) => this.id('user', username)),
                (current?.view.memberIds ?? []) as string[],
              );
              for (const userId of add) {
                if (!this.dryRun) await addTeamMember(this.service, await this.writeContext(), id, userId);
                this.change(`added user ${this.nameOf('user', userId)} to ${label}`);
              }
              for (const userId of remove) {
                if (!this.dryRun) await removeTeamMember(this.service, await this.writeContext(), id, userId);
                this.change(`removed user ${this.nameOf('user', userId)} from ${label}`);
              }
              changed = add.length + remove.length > 0;
            }
            if (item.roles) {
              const desiredRoles = item.roles.map((role) => this.id('role', role));
              changed =
                (await this.syncRoles(
                  'teams',
                  id,
                  label,
                  desiredRoles,
                  (current?.view.roleIds ?? []) as string[],
                )) || changed;
            }
            return changed;
          },
        }),
      );
    }
  }

  private async emailServerProfiles(): Promise<void> {
    for (const [index, item] of (this.document.emailServerProfiles ?? []).entries()) {
      const where = `emailServerProfiles[${index}] (${item.name})`;
      const { name, owner, ...fields } = item;
      await this.item(where, () =>
        this.upsert({
          resource: emailServerProfiles,
          kind: 'emailServerProfile',
          key: name,
          label: `email server profile ${name}`,
          createOnly: { name },
          desired: fields,
          owner,
          passwords: {
            incomingPassword: 'incomingPasswordEncrypted',
            outgoingPassword: 'outgoingPasswordEncrypted',
          },
        }),
      );
    }
  }

  private async organization(): Promise<void> {
    const section = this.document.organization;
    if (!section) return;
    await this.item('organization', async () => {
      const { defaultEmailServerProfile, ...settings } = section;
      const desired = parseInput(
        organizationUpdateSchema,
        definedOnly({
          ...settings,
          defaultEmailServerProfileId: this.optionalId('emailServerProfile', defaultEmailServerProfile),
        }),
        'organization settings',
      );
      const row = await this.target.db.selectFrom('organization').selectAll().executeTakeFirst();
      if (!row) this.fail('organization', 'the organization is not set up yet');
      const fields = changedFields(desired, row as Row<'organization'>);
      if (desired.defaultEmailServerProfileId !== undefined)
        this.defaultProfileId = desired.defaultEmailServerProfileId;
      if (fields.length === 0) return 'unchanged';
      if (!this.dryRun) await updateOrganization(await this.writeContext(), pick(desired, fields));
      this.change(`updated organization settings: ${fields.join(', ')}`);
      return 'updated';
    });
  }

  private async queues(): Promise<void> {
    for (const [index, item] of (this.document.queues ?? []).entries()) {
      const where = `queues[${index}] (${item.name})`;
      const { name, owner, ...fields } = item;
      await this.item(where, () =>
        this.upsert({
          resource: queues,
          kind: 'queue',
          key: name,
          label: `queue ${name}`,
          createOnly: { name },
          desired: fields,
          owner,
          after: async (id, outcome, current) => {
            if (this.dryRun)
              this.planSubjectMailbox('queue', id, outcome, current, false, name, item.emailAddress);
            return false;
          },
        }),
      );
    }
  }

  private async mailboxes(): Promise<void> {
    for (const [index, item] of (this.document.mailboxes ?? []).entries()) {
      if (item.for) await this.subjectMailbox(index, item, item.for);
      else await this.standaloneMailbox(index, item, item.name ?? '');
    }
  }

  /** The fields of a mailbox entry in API form. */
  private mailboxFields(item: MailboxItem): RowData {
    return {
      emailAddress: item.emailAddress,
      isForwardMailbox: item.isForwardMailbox,
      emailServerProfileId: this.optionalId('emailServerProfile', item.emailServerProfile),
      incomingMethod: item.incomingMethod,
      outgoingMethod: item.outgoingMethod,
      actMethod: item.actMethod,
      deleteEmailsAfterProcessing: item.deleteEmailsAfterProcessing,
      incomingFolders: item.incomingFolders,
      useIdle: item.useIdle,
      processEmailReceivedAfter: item.processEmailReceivedAfter,
      allowCredentialsUse: item.allowCredentialsUse,
      username: item.username,
      password: item.password,
      state: item.state,
    };
  }

  private async standaloneMailbox(index: number, item: MailboxItem, name: string): Promise<void> {
    await this.item(`mailboxes[${index}] (${name})`, () =>
      this.upsert({
        resource: mailboxes,
        kind: 'mailbox',
        key: name,
        label: `mailbox ${name}`,
        createOnly: { name },
        desired: this.mailboxFields(item),
        owner: item.owner,
        passwords: { password: 'passwordEncrypted' },
      }),
    );
  }

  /** The mailbox a user or queue got when it was created: only ever updated. */
  private async subjectMailbox(
    index: number,
    item: MailboxItem,
    subject: { type: 'user' | 'queue'; name: string },
  ) {
    const label = `mailbox for ${subject.type} ${subject.name}`;
    const where = `mailboxes[${index}] (for ${subject.type} ${subject.name})`;
    await this.item(where, async () => {
      const subjectId = this.id(subject.type, subject.name);
      const planned = this.plannedMailboxes.get(`${subject.type}:${subjectId}`);
      let current: Current;
      let mailboxId = '';
      if (this.dryRun && planned) {
        current = { row: { passwordEncrypted: null }, view: planned };
      } else {
        const found = await this.target.db
          .selectFrom('mailboxes')
          .select('id')
          .where('regardingType', '=', subject.type)
          .where('regardingId', '=', subjectId)
          .executeTakeFirst();
        if (!found) this.fail(where, `${subject.type} ${subject.name} has no mailbox`);
        mailboxId = found.id;
        current = await this.current(mailboxes, mailboxId);
        const plannedState = this.plannedMailboxStates.get(`${subject.type}:${subjectId}`);
        if (this.dryRun && plannedState)
          current = { ...current, view: { ...current.view, state: plannedState } };
      }
      const desired = this.validate(mailboxes, 'update', definedOnly(this.mailboxFields(item)));
      const fields = changedFields(desired, current.view, {
        sealed: { password: (current.row.passwordEncrypted as string | null) ?? null },
        open: (sealed) => this.target.secrets.open(sealed),
      });
      if (fields.length === 0) return 'unchanged';
      await this.update(mailboxes, mailboxId, pick(desired, fields));
      this.change(`updated ${label}: ${fields.join(', ')}`);
      return 'updated';
    });
  }

  /**
   * Dry pass only: what the mailbox of a user or queue will look like after
   * this pass — a new one as `createDefaultMailbox` makes it, or an existing
   * one deactivated by an update of a disabled user (`syncMailboxWithSubject`).
   */
  private planSubjectMailbox(
    type: 'user' | 'queue',
    id: string,
    outcome: Outcome,
    current: Current | undefined,
    disabled: boolean | undefined,
    name: string,
    emailAddress: string | null | undefined,
  ): void {
    if (outcome === 'created') {
      this.plannedMailboxes.set(
        `${type}:${id}`,
        newSubjectMailboxView({
          name,
          emailAddress: emailAddress ?? null,
          emailServerProfileId: this.defaultProfileId,
        }),
      );
      return;
    }
    if (outcome === 'updated' && (disabled ?? current?.view.disabled) === true)
      this.plannedMailboxStates.set(`${type}:${id}`, 'inactive');
  }
}

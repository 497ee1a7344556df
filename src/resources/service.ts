/**
 * Runs list, get, create, update and delete for any resource, the same way
 * every time: validate input, check the actor's privilege through the engine,
 * write inside one transaction, and return the public view of the record.
 * The REST API and `mailroom apply` both go through here.
 */
import { sql, type Kysely } from 'kysely';
import type { z } from 'zod';
import type { Db } from '../db/connection.js';
import { isId } from '../db/ids.js';
import { recordPrivilege, type AccessRight } from '../security/catalogue.js';
import { decide, reach } from '../security/engine.js';
import type { Reach, RecordOwnership } from '../security/model.js';
import type { ActorContext, Resource, RowData } from './definition.js';
import { DomainError, conflict, forbidden, notFound, validationError, type FieldProblem } from './errors.js';

/** The service's view of the database: table names chosen at run time from a resource. */
type LooseDatabase = Record<string, RowData>;
const loose = (db: Db) => db as unknown as Kysely<LooseDatabase>;

export const MAX_PAGE_SIZE = 200;
export const DEFAULT_PAGE_SIZE = 50;

export interface ListQuery {
  readonly filters?: Readonly<Record<string, string>>;
  readonly q?: string;
  readonly limit?: number;
  /** the id of the last record of the previous page */
  readonly cursor?: string;
}

export interface Page {
  readonly items: RowData[];
  readonly nextCursor: string | null;
}

export function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const details: FieldProblem[] = parsed.error.issues.flatMap((issue) =>
    // An unknown key is reported on the key itself, so that a client can tell which field to drop.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), message: 'unknown field' }))
      : [{ field: issue.path.join('.') || '(body)', message: issue.message }],
  );
  const summary = details.map((detail) => `${detail.field}: ${detail.message}`).join('; ');
  throw validationError(`Invalid ${what}: ${summary}`, details);
}

/** Runs `work` in a transaction, or inside the caller's when there already is one (e.g. `mailroom apply`). */
export async function withinTransaction<T>(
  ctx: ActorContext,
  work: (tx: ActorContext) => Promise<T>,
): Promise<T> {
  if (ctx.db.isTransaction) return work(ctx);
  return ctx.db.transaction().execute((trx) => work({ ...ctx, db: trx }));
}

export function authorize(
  ctx: ActorContext,
  resource: Resource,
  right: AccessRight,
  record: RecordOwnership,
  action: string,
): void {
  const decision = decide(ctx.actor, recordPrivilege(right, resource.entity), record, ctx.tree);
  if (!decision.allowed) {
    throw forbidden(`${ctx.actor.name} may not ${action}: ${decision.privilegeName} (${decision.reason})`, {
      privilege: decision.privilegeName,
      reason: decision.reason,
    });
  }
}

function reachIsEmpty(r: Reach): boolean {
  return !r.organization && r.ownerIds.size === 0 && r.businessUnitIds.size === 0;
}

/** Translates database constraint failures into the API's error codes. */
export function translateDatabaseError(error: unknown, label: string): never {
  const code = (error as { code?: unknown }).code;
  const detail = (error as { detail?: unknown }).detail;
  const constraint = (error as { constraint?: unknown }).constraint;
  const why = typeof detail === 'string' ? detail : typeof constraint === 'string' ? constraint : '';
  if (code === '23505') throw conflict(`${label} conflicts with an existing record${why ? `: ${why}` : ''}`);
  // A foreign key fails both ways: a write naming a missing record, or a delete of a record others still use.
  if (code === '23503' && /is still referenced/.test(why)) {
    throw conflict(`${label} is still in use and cannot be deleted${why ? `: ${why}` : ''}`);
  }
  if (code === '23503') {
    // PostgreSQL names the column in snake_case ("Key (activity_id)=(…) is not present…"); the API speaks camelCase.
    const column = /Key \(([a-z0-9_]+)\)/.exec(why)?.[1];
    const field = column?.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    throw validationError(
      field
        ? `${label}: ${field} refers to a record that does not exist (${why})`
        : `${label} refers to a record that does not exist${why ? `: ${why}` : ''}`,
      field ? [{ field, message: 'no record with this id' }] : undefined,
    );
  }
  if (code === '23514' || code === '22P02' || code === '22007' || code === '22008')
    throw validationError(`${label} has an invalid value${why ? `: ${why}` : ''}`);
  throw error;
}

export class ResourceService {
  constructor(private readonly resources: readonly Resource[]) {}

  find(name: string): Resource | undefined {
    return this.resources.find((resource) => resource.name === name);
  }

  async list(ctx: ActorContext, resource: Resource, query: ListQuery): Promise<Page> {
    const readReach = reach(ctx.actor, recordPrivilege('read', resource.entity), resource.entity, ctx.tree);
    if (reachIsEmpty(readReach)) {
      authorize(ctx, resource, 'read', { entity: resource.entity }, `list ${resource.name}`);
    }
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
    let select = loose(ctx.db).selectFrom(resource.table).selectAll();
    for (const [column, value] of Object.entries(resource.scope ?? {})) {
      select = select.where(column, '=', value);
    }
    for (const [name, raw] of Object.entries(query.filters ?? {})) {
      const filter = resource.filters?.[name];
      if (!filter) {
        const known = Object.keys(resource.filters ?? {});
        throw validationError(
          `Unknown filter '${name}' for ${resource.name}${known.length ? ` (known: ${known.join(', ')})` : ''}`,
          [{ field: name, message: 'unknown filter' }],
        );
      }
      const parsed = filter.schema.safeParse(raw);
      if (!parsed.success) {
        const message = parsed.error.issues.map((issue) => issue.message).join('; ');
        throw validationError(`Invalid filter '${name}': ${message}`, [{ field: name, message }]);
      }
      select =
        filter.caseInsensitive && typeof parsed.data === 'string'
          ? select.where(sql`lower(${sql.ref(filter.column)})`, '=', parsed.data.toLowerCase())
          : select.where(filter.column, '=', parsed.data);
    }
    if (query.q !== undefined && !resource.searchColumns?.length) {
      throw validationError(`${resource.name} cannot be searched with q`, [
        { field: 'q', message: 'not supported here' },
      ]);
    }
    if (query.q && resource.searchColumns?.length) {
      const pattern = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const columns = resource.searchColumns;
      select = select.where((eb) => eb.or(columns.map((column) => eb(column, 'ilike', pattern))));
    }
    if (!readReach.organization) {
      const owners = [...readReach.ownerIds];
      const units = [...readReach.businessUnitIds];
      const columnSets = [
        resource.reachColumns,
        ...(resource.sharedReadColumns ? [resource.sharedReadColumns] : []),
      ];
      select = select.where((eb) =>
        eb.or([
          ...columnSets.flatMap(({ owner, businessUnit }) => [
            ...(owner && owners.length ? [eb(owner, 'in', owners)] : []),
            ...(businessUnit && units.length ? [eb(businessUnit, 'in', units)] : []),
          ]),
          // an always-false branch keeps the OR valid when no column applies
          sql<boolean>`false`,
        ]),
      );
    }
    if (query.cursor) {
      if (!isId(query.cursor)) {
        throw validationError('cursor must be the id returned as nextCursor', [
          { field: 'cursor', message: 'not a nextCursor value' },
        ]);
      }
      select = select.where('id', '<', query.cursor);
    }
    const rows = await select
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const pageRows = rows.slice(0, limit);
    const items = await this.view(ctx, resource, pageRows);
    const last = pageRows.at(-1);
    return { items, nextCursor: rows.length > limit && last ? String(last.id) : null };
  }

  async get(ctx: ActorContext, resource: Resource, id: string): Promise<RowData> {
    const row = await this.load(ctx, resource, id);
    const shared = resource.sharedReadOwnership?.(row as never);
    const readPrivilege = recordPrivilege('read', resource.entity);
    if (!shared || !decide(ctx.actor, readPrivilege, shared, ctx.tree).allowed) {
      authorize(
        ctx,
        resource,
        'read',
        resource.ownership(row as never),
        `read this ${resource.label.toLowerCase()}`,
      );
    }
    const [view] = await this.view(ctx, resource, [row]);
    return view ?? {};
  }

  async create(ctx: ActorContext, resource: Resource, input: unknown): Promise<RowData> {
    if (!resource.createSchema)
      throw new DomainError('MR_ERR_METHOD', 405, `${resource.label} cannot be created`);
    const data = parseInput(resource.createSchema, input, `${resource.label.toLowerCase()}`);
    const id = await this.inTransaction(ctx, resource, async (tx) => {
      const values = await (resource.prepareCreate?.(tx, data) ?? Promise.resolve(data));
      authorize(
        tx,
        resource,
        'create',
        resource.ownership(values as never),
        `create this ${resource.label.toLowerCase()}`,
      );
      await loose(tx.db)
        .insertInto(resource.table)
        .values({ ...values, ...resource.scope })
        .execute();
      const row = await this.load(tx, resource, String(values.id));
      await resource.afterWrite?.(tx, row as never, data, 'create');
      return String(values.id);
    });
    return this.getUnchecked(ctx, resource, id);
  }

  async update(ctx: ActorContext, resource: Resource, id: string, patch: unknown): Promise<RowData> {
    if (!resource.updateSchema)
      throw new DomainError('MR_ERR_METHOD', 405, `${resource.label} cannot be changed`);
    const data = parseInput(resource.updateSchema, patch, `${resource.label.toLowerCase()} change`);
    await this.inTransaction(ctx, resource, async (tx) => {
      const existing = await this.load(tx, resource, id, true);
      const ownership = resource.ownership(existing as never);
      authorize(tx, resource, 'write', ownership, `change this ${resource.label.toLowerCase()}`);
      const changes = await (resource.prepareUpdate?.(tx, existing as never, data) ?? Promise.resolve(data));
      if (changes.ownerId !== undefined && changes.ownerId !== existing.ownerId) {
        authorize(tx, resource, 'assign', ownership, `assign this ${resource.label.toLowerCase()}`);
      }
      if (Object.keys(changes).length > 0) {
        await loose(tx.db)
          .updateTable(resource.table)
          .set({ ...changes, ...('updatedAt' in existing ? { updatedAt: new Date() } : {}) })
          .where('id', '=', id)
          .execute();
      }
      const row = await this.load(tx, resource, id);
      await resource.afterWrite?.(tx, row as never, data, 'update');
    });
    return this.getUnchecked(ctx, resource, id);
  }

  async delete(ctx: ActorContext, resource: Resource, id: string): Promise<void> {
    await this.inTransaction(ctx, resource, async (tx) => {
      const existing = await this.load(tx, resource, id, true);
      authorize(
        tx,
        resource,
        'delete',
        resource.ownership(existing as never),
        `delete this ${resource.label.toLowerCase()}`,
      );
      await resource.beforeDelete?.(tx, existing as never);
      await loose(tx.db).deleteFrom(resource.table).where('id', '=', id).execute();
    });
  }

  /**
   * Loads one row and checks the actor's right on it (404 when absent, 403
   * naming the privilege when refused): what every action on one record
   * outside plain CRUD starts with.
   */
  async loadAuthorized(
    ctx: ActorContext,
    resource: Resource,
    id: string,
    right: AccessRight,
    action: string,
  ): Promise<RowData> {
    const row = await this.load(ctx, resource, id);
    authorize(ctx, resource, right, resource.ownership(row as never), action);
    return row;
  }

  /** Loads one row of the resource, or fails with 404. */
  async load(ctx: ActorContext, resource: Resource, id: string, forUpdate = false): Promise<RowData> {
    if (!isId(id)) throw notFound(resource.label, id);
    let select = loose(ctx.db).selectFrom(resource.table).selectAll().where('id', '=', id);
    for (const [column, value] of Object.entries(resource.scope ?? {})) {
      select = select.where(column, '=', value);
    }
    const row = await (forUpdate ? select.forUpdate() : select).executeTakeFirst();
    if (!row) throw notFound(resource.label, id);
    return row;
  }

  private async getUnchecked(ctx: ActorContext, resource: Resource, id: string): Promise<RowData> {
    const [view] = await this.view(ctx, resource, [await this.load(ctx, resource, id)]);
    return view ?? {};
  }

  private async view(ctx: ActorContext, resource: Resource, rows: readonly RowData[]): Promise<RowData[]> {
    const related = resource.loadRelated ? await resource.loadRelated(ctx, rows as never) : undefined;
    return rows.map((row) => resource.toView(row as never, related?.get(String(row.id))));
  }

  private async inTransaction<T>(
    ctx: ActorContext,
    resource: Resource,
    work: (tx: ActorContext) => Promise<T>,
  ): Promise<T> {
    try {
      return await withinTransaction(ctx, work);
    } catch (error) {
      if (error instanceof DomainError) throw error;
      return translateDatabaseError(error, resource.label);
    }
  }
}

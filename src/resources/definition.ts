/**
 * A resource is one kind of record the API and `mailroom apply` manage: where
 * it is stored, which entity's privileges guard it, how input is validated and
 * turned into a row, and how a row is shown. Domain folders define their
 * resources; `service.ts` runs every operation the same way for all of them.
 */
import type { z } from 'zod';
import type { Db } from '../db/connection.js';
import type { Database, Row } from '../db/schema.js';
import type { Entity } from '../security/catalogue.js';
import type { BusinessUnitTree, RecordOwnership, UserPrincipal } from '../security/model.js';
import type { SecretBox } from '../security/secrets.js';

export type RowData = Record<string, unknown>;
export type Operation = 'list' | 'get' | 'create' | 'update' | 'delete';

/** Who is acting, and the database handle to act with (a transaction inside writes). */
export interface ActorContext {
  readonly db: Db;
  readonly actor: UserPrincipal;
  readonly tree: BusinessUnitTree;
  readonly secrets: SecretBox;
}

export interface ReachColumns {
  readonly owner?: string;
  readonly businessUnit?: string;
}

export interface FilterSpec {
  readonly column: string;
  readonly schema: z.ZodType<string | number | boolean>;
  readonly description?: string;
  /** compare ignoring case (email addresses) */
  readonly caseInsensitive?: boolean;
}

export interface ResourceDefinition<T extends keyof Database, Create = RowData, Update = RowData> {
  /** URL segment and `apply` section name, e.g. `email-server-profiles` */
  readonly name: string;
  /** singular label used in messages, e.g. `Email server profile` */
  readonly label: string;
  readonly table: T;
  readonly entity: Entity;
  readonly operations: readonly Operation[];
  readonly createSchema?: z.ZodType<Create>;
  readonly updateSchema?: z.ZodType<Update>;
  /** the shape of `toView`, for the OpenAPI document */
  readonly viewSchema: z.ZodType;
  readonly filters?: Readonly<Record<string, FilterSpec>>;
  /** columns matched by the `q` query parameter (case-insensitive substring) */
  readonly searchColumns?: readonly string[];
  /** fixed column values: several resources can share one table (emails, tasks…) */
  readonly scope?: Readonly<Record<string, string>>;
  /** columns that hold the owner and the owning business unit, for list filtering */
  readonly reachColumns: ReachColumns;
  /** a second owner who may also read the record (an alert's profile owner), with its columns */
  readonly sharedReadColumns?: ReachColumns;
  /** columns that identify a record for `mailroom apply` (e.g. `username`) */
  readonly naturalKey?: readonly string[];

  ownership(row: Row<T>): RecordOwnership;
  /** the second reader's ownership facts (see `sharedReadColumns`), when the row has one */
  sharedReadOwnership?(row: Row<T>): RecordOwnership | undefined;
  toView(row: Row<T>, related: RowData | undefined): RowData;
  loadRelated?(ctx: ActorContext, rows: readonly Row<T>[]): Promise<Map<string, RowData>>;
  prepareCreate?(ctx: ActorContext, input: Create): Promise<RowData>;
  prepareUpdate?(ctx: ActorContext, existing: Row<T>, patch: Update): Promise<RowData>;
  afterWrite?(
    ctx: ActorContext,
    row: Row<T>,
    input: Create | Update,
    kind: 'create' | 'update',
  ): Promise<void>;
  beforeDelete?(ctx: ActorContext, row: Row<T>): Promise<void>;
}

/** A resource with its row type erased, so that resources of all tables fit in one registry. */
export type Resource = ResourceDefinition<keyof Database, RowData, RowData>;

export function defineResource<T extends keyof Database, Create, Update>(
  definition: ResourceDefinition<T, Create, Update>,
): Resource {
  // The service only hands each hook rows of the definition's own table and
  // input that its own schemas produced, so erasing the types here is safe.
  return definition as unknown as Resource;
}

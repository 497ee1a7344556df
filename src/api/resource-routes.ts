/**
 * The five standard routes of a resource: list, get, create, update, delete.
 */
import { z } from 'zod';
import type { Resource } from '../resources/definition.js';
import { MAX_PAGE_SIZE, type ResourceService } from '../resources/service.js';
import { validationError } from '../resources/errors.js';
import type { RouteSpec } from './routes.js';

const RESERVED_QUERY = new Set(['limit', 'cursor', 'q']);

function pageLimit(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw validationError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`, [
      { field: 'limit', message: 'out of range' },
    ]);
  }
  return limit;
}

export function resourceRoutes(service: ResourceService, resource: Resource): RouteSpec[] {
  const base = `/api/${resource.name}`;
  const tag = resource.label;
  const lower = resource.label.toLowerCase();
  const routes: RouteSpec[] = [];
  const has = (operation: Resource['operations'][number]) => resource.operations.includes(operation);

  if (has('list')) {
    const filterDocs = Object.fromEntries(
      Object.entries(resource.filters ?? {}).map(([name, filter]) => [
        name,
        {
          schema: filter.schema,
          description: filter.description ?? `only records whose ${name} equals this`,
        },
      ]),
    );
    routes.push({
      method: 'GET',
      path: base,
      tag,
      summary: `List ${resource.name} the caller may read, newest first`,
      query: {
        limit: { schema: z.number().int().min(1).max(MAX_PAGE_SIZE), description: 'page size (default 50)' },
        cursor: { schema: z.uuid(), description: 'nextCursor of the previous page' },
        ...(resource.searchColumns?.length
          ? {
              q: {
                schema: z.string(),
                description: `case-insensitive search in ${resource.searchColumns.join(', ')}`,
              },
            }
          : {}),
        ...filterDocs,
      },
      response: z.object({ items: z.array(resource.viewSchema), nextCursor: z.uuid().nullable() }),
      handler: ({ ctx, query }) => {
        const filters = Object.fromEntries(Object.entries(query).filter(([key]) => !RESERVED_QUERY.has(key)));
        return service.list(ctx, resource, {
          filters,
          ...(query.q ? { q: query.q } : {}),
          ...(query.cursor ? { cursor: query.cursor } : {}),
          ...(query.limit !== undefined ? { limit: pageLimit(query.limit) } : {}),
        });
      },
    });
  }
  if (has('get')) {
    routes.push({
      method: 'GET',
      path: `${base}/:id`,
      tag,
      summary: `Read one ${lower}`,
      response: resource.viewSchema,
      handler: ({ ctx, params }) => service.get(ctx, resource, params.id ?? ''),
    });
  }
  if (has('create') && resource.createSchema) {
    routes.push({
      method: 'POST',
      path: base,
      tag,
      summary: `Create a ${lower}`,
      body: resource.createSchema,
      response: resource.viewSchema,
      status: 201,
      handler: ({ ctx, body }) => service.create(ctx, resource, body),
    });
  }
  if (has('update') && resource.updateSchema) {
    routes.push({
      method: 'PATCH',
      path: `${base}/:id`,
      tag,
      summary: `Change some fields of a ${lower}`,
      body: resource.updateSchema,
      response: resource.viewSchema,
      handler: ({ ctx, params, body }) => service.update(ctx, resource, params.id ?? '', body ?? {}),
    });
  }
  if (has('delete')) {
    routes.push({
      method: 'DELETE',
      path: `${base}/:id`,
      tag,
      summary: `Delete a ${lower}`,
      status: 204,
      handler: ({ ctx, params }) => service.delete(ctx, resource, params.id ?? ''),
    });
  }
  return routes;
}

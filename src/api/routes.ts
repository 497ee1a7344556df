/**
 * Routes are declared as data (method, path, schemas, handler) so that one
 * list both registers them with Fastify and produces the OpenAPI document.
 * Input is validated by the service layer with the same zod schemas that the
 * document shows, so the document cannot drift from what is enforced.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ActorContext } from '../resources/definition.js';
import { errorBody } from './errors.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteInput {
  readonly ctx: ActorContext;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly reply: FastifyReply;
}

export interface RouteSpec {
  readonly method: HttpMethod;
  /** Fastify path syntax, e.g. `/api/users/:id` */
  readonly path: string;
  readonly tag: string;
  readonly summary: string;
  readonly body?: z.ZodType;
  /** documented query parameters */
  readonly query?: Readonly<Record<string, { schema: z.ZodType; description?: string }>>;
  readonly response?: z.ZodType;
  /** success status; 204 sends no body */
  readonly status?: 200 | 201 | 202 | 204;
  /** answered without signing in (documented with no security requirement) */
  readonly public?: boolean;
  handler(input: RouteInput): Promise<unknown>;
}

export type Authenticator = (request: FastifyRequest) => Promise<ActorContext>;

function queryRecord(query: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (query && typeof query === 'object') {
    for (const [key, value] of Object.entries(query)) {
      if (typeof value === 'string') result[key] = value;
      else if (Array.isArray(value) && typeof value[0] === 'string') result[key] = value[0];
    }
  }
  return result;
}

export function registerRoutes(
  app: FastifyInstance,
  routes: readonly RouteSpec[],
  authenticate: Authenticator,
): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.path,
      handler: async (request, reply) => {
        const ctx = await authenticate(request);
        // Set first, so that a handler may answer otherwise (e.g. 200 instead of 202 when it waited).
        void reply.status(route.status ?? 200);
        const result = await route.handler({
          ctx,
          params: (request.params ?? {}) as Record<string, string>,
          query: queryRecord(request.query),
          body: request.body,
          reply,
        });
        if (reply.sent) return reply;
        if (reply.statusCode === 204) return reply.send();
        return reply.send(result);
      },
    });
  }
}

// ---------------------------------------------------------------- OpenAPI

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    override: (context) => {
      // Dates travel as ISO 8601 strings.
      if (context.zodSchema._zod.def.type === 'date') {
        context.jsonSchema.type = 'string';
        context.jsonSchema.format = 'date-time';
      }
    },
  }) as JsonSchema;
  return rest;
}

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['statusCode', 'code', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string', description: 'stable error code, e.g. MR_ERR_VALIDATION' },
    error: { type: 'string' },
    message: { type: 'string' },
    details: { description: 'for validation errors: [{ field, message }]' },
  },
};

/** Documents routes; the handler is not needed, so routes served outside `registerRoutes` can be documented too. */
export function openApiDocument(routes: readonly Omit<RouteSpec, 'handler'>[], version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters = [
      ...[...route.path.matchAll(/:([A-Za-z]+)/g)].map((match) => ({
        name: match[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...Object.entries(route.query ?? {}).map(([name, { schema, description }]) => ({
        name,
        in: 'query',
        required: false,
        schema: jsonSchema(schema, 'input'),
        ...(description ? { description } : {}),
      })),
    ];
    const ok = String(route.status ?? 200);
    const operation: JsonSchema = {
      tags: [route.tag],
      summary: route.summary,
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[/:.-]+(\w)/g, (_m, c: string) => c.toUpperCase())}`,
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses: {
        [ok]:
          route.status === 204
            ? { description: 'Done' }
            : {
                description: 'OK',
                ...(route.response
                  ? { content: { 'application/json': { schema: jsonSchema(route.response, 'output') } } }
                  : {}),
              },
        default: {
          description: 'Error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      ...(route.public ? { security: [] } : {}),
    };
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Mailroom API',
      version,
      description:
        'Configure and observe server-side synchronization. Authenticate with `Authorization: Bearer <token>`, ' +
        'or (the console) with the session cookie from `POST /api/session` plus its CSRF token in the ' +
        '`X-CSRF-Token` header on state-changing requests. ' +
        'Every call is authorized by the security roles of the signed-in user.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerToken: [] }, { sessionCookie: [] }],
    components: {
      securitySchemes: {
        bearerToken: { type: 'http', scheme: 'bearer' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'mailroom_session' },
      },
      schemas: { Error: errorSchema },
    },
    paths,
  };
}

export { errorBody };

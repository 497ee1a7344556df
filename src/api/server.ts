/**
 * The HTTP server: REST API under /api, the OpenAPI document, health, and the
 * console at /. Every /api route except health and the document needs a
 * bearer token; the token's user is the actor whose privileges decide.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/connection.js';
import { consolePlaceholder } from '../console/placeholder.js';
import type { ActorContext } from '../resources/definition.js';
import { unauthorized } from '../resources/errors.js';
import { RESOURCES } from '../resources/registry.js';
import { ResourceService } from '../resources/service.js';
import { loadBusinessUnitTree, loadUserPrincipal } from '../security/principals.js';
import type { SecretBox } from '../security/secrets.js';
import { authenticateToken } from '../security/tokens.js';
import type { TestRunner } from '../mailboxes/test-runner.js';
import { adminRoutes } from './admin-routes.js';
import { mailboxRoutes } from './mailbox-routes.js';
import { errorBody, handleError } from './errors.js';
import { resourceRoutes } from './resource-routes.js';
import { openApiDocument, registerRoutes, type RouteSpec } from './routes.js';

export interface ServerDependencies {
  readonly db: Db;
  readonly databaseKind: 'postgres' | 'embedded';
  readonly secrets: SecretBox;
  readonly logger?: Logger;
  readonly version: string;
  /** runs Test & Enable requests in this process; without it they wait for a worker */
  readonly testRunner?: TestRunner;
}

/** Routes served without a token; registered directly below and listed here for the OpenAPI document. */
const PUBLIC_ROUTES: readonly Omit<RouteSpec, 'handler'>[] = [
  {
    method: 'GET',
    path: '/api/health',
    tag: 'Operations',
    summary: 'Whether the service and its database answer (no token needed)',
    response: z.object({
      status: z.enum(['ok', 'unavailable']),
      database: z.enum(['postgres', 'embedded']),
      version: z.string(),
    }),
  },
  {
    method: 'GET',
    path: '/api/openapi.json',
    tag: 'Operations',
    summary: 'This OpenAPI 3.1 document (no token needed)',
    response: z.record(z.string(), z.unknown()),
  },
];

/** For each route path, a matcher and the methods it supports (HEAD comes with GET). */
function methodsByPath(
  routes: readonly Omit<RouteSpec, 'handler'>[],
): { path: string; pattern: RegExp; methods: string[] }[] {
  const byPath = new Map<string, Set<string>>();
  for (const route of routes) {
    const methods = byPath.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    if (route.method === 'GET') methods.add('HEAD');
    byPath.set(route.path, methods);
  }
  return [...byPath].map(([path, methods]) => ({
    path: path.replace(/:([A-Za-z]+)/g, '{$1}'),
    pattern: new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+')}$`),
    methods: [...methods],
  }));
}

export function allRoutes(service: ResourceService, testRunner?: TestRunner): RouteSpec[] {
  return [
    ...RESOURCES.flatMap((resource) => resourceRoutes(service, resource)),
    ...adminRoutes(service),
    ...mailboxRoutes(service, testRunner),
  ];
}

export async function buildServer(deps: ServerDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger | undefined,
    bodyLimit: 50 * 1024 * 1024,
    // Request logs carry the method and URL, never headers (they hold tokens).
    requestIdHeader: 'x-request-id',
  });
  const service = new ResourceService(RESOURCES);
  const routes = allRoutes(service, deps.testRunner);
  const document = openApiDocument([...PUBLIC_ROUTES, ...routes], deps.version);
  const allowedMethods = methodsByPath([...PUBLIC_ROUTES, ...routes]);

  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // A known path asked with a method it does not support (DELETE on a user, POST on an alert) is a 405 that
    // says what is possible, not a 404 that suggests the path is wrong.
    const known = allowedMethods.find(
      (entry) => entry.pattern.test(path) && !entry.methods.includes(request.method),
    );
    if (known) {
      void reply
        .status(405)
        .header('allow', known.methods.join(', '))
        .send(
          errorBody(
            405,
            'MR_ERR_METHOD',
            `${request.method} is not supported on ${known.path}; supported: ${known.methods.join(', ')}`,
          ),
        );
      return;
    }
    void reply
      .status(404)
      .send(errorBody(404, 'MR_ERR_ROUTE_NOT_FOUND', `No route ${request.method} ${path}`));
  });

  app.get('/api/health', async (_request, reply) => {
    try {
      await sql`SELECT 1`.execute(deps.db);
      return { status: 'ok', database: deps.databaseKind, version: deps.version };
    } catch {
      return reply
        .status(503)
        .send({ status: 'unavailable', database: deps.databaseKind, version: deps.version });
    }
  });
  app.get('/api/openapi.json', async () => document);
  app.get('/', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(consolePlaceholder(deps.version)),
  );

  const authenticate = async (request: FastifyRequest): Promise<ActorContext> => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw unauthorized('Send an API token as "Authorization: Bearer <token>"');
    const userId = await authenticateToken(deps.db, match[1]);
    if (!userId) throw unauthorized('The API token is unknown, revoked or expired');
    const [actor, tree] = await Promise.all([
      loadUserPrincipal(deps.db, userId),
      loadBusinessUnitTree(deps.db),
    ]);
    if (!actor) throw unauthorized('The API token belongs to a user that no longer exists');
    if (actor.disabled) throw unauthorized(`User ${actor.name} is disabled`);
    return { db: deps.db, actor, tree, secrets: deps.secrets };
  };
  registerRoutes(app, routes, authenticate);
  return app;
}

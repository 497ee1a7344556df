/**
 * The HTTP server: REST API under /api, the OpenAPI document, health, and the
 * console at /. Every /api route except health, the document and signing in
 * needs a bearer token or a console session (cookie plus CSRF header); the
 * signed-in user is the actor whose privileges decide.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/connection.js';
import { registerConsole } from '../console/static.js';
import type { ActorContext } from '../resources/definition.js';
import { unauthorized } from '../resources/errors.js';
import { RESOURCES } from '../resources/registry.js';
import { ResourceService } from '../resources/service.js';
import { loadBusinessUnitTree, loadUserPrincipal } from '../security/principals.js';
import type { SecretBox } from '../security/secrets.js';
import { authenticateToken } from '../security/tokens.js';
import type { TestRunner } from '../mailboxes/test-runner.js';
import { adminRoutes } from './admin-routes.js';
import { emailRoutes } from './email-routes.js';
import { itemRoutes } from './item-routes.js';
import { mailboxRoutes } from './mailbox-routes.js';
import { METRICS_ROUTE_DOC, registerMetricsRoute } from './metrics-route.js';
import { webhookRoutes } from './webhook-routes.js';
import { actRoutes } from './act-routes.js';
import { errorBody, handleError } from './errors.js';
import { resourceRoutes } from './resource-routes.js';
import {
  passwordRoutes,
  registerSessionRoutes,
  SESSION_ROUTE_DOCS,
  sessionOfRequest,
} from './session-routes.js';
import { openApiDocument, registerRoutes, type RouteSpec } from './routes.js';

export interface ServerDependencies {
  readonly db: Db;
  readonly databaseKind: 'postgres' | 'embedded';
  readonly secrets: SecretBox;
  readonly logger?: Logger;
  readonly version: string;
  /** runs Test & Enable requests in this process; without it they wait for a worker */
  readonly testRunner?: TestRunner;
  /** the built console (default: console/dist of this checkout) */
  readonly consoleRoot?: string;
  /** opens GET /metrics to this bearer token (MAILROOM_METRICS_TOKEN); absent: /metrics is off */
  readonly metricsToken?: string | undefined;
}

/** Routes registered directly below (not through `registerRoutes`), listed here for the OpenAPI document. */
const DIRECT_ROUTES: readonly Omit<RouteSpec, 'handler'>[] = [
  {
    method: 'GET',
    path: '/api/health',
    tag: 'Operations',
    summary: 'Whether the service and its database answer (no token needed)',
    public: true,
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
    public: true,
    response: z.record(z.string(), z.unknown()),
  },
  ...SESSION_ROUTE_DOCS,
  METRICS_ROUTE_DOC,
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
    ...itemRoutes(service),
    ...emailRoutes(service),
    ...passwordRoutes(service),
    ...webhookRoutes(),
    ...actRoutes(service),
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
  const document = openApiDocument([...DIRECT_ROUTES, ...routes], deps.version);
  const allowedMethods = methodsByPath([...DIRECT_ROUTES, ...routes]);

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
  registerMetricsRoute(app, { db: deps.db, token: deps.metricsToken });
  registerConsole(app, { version: deps.version, ...(deps.consoleRoot ? { root: deps.consoleRoot } : {}) });
  registerSessionRoutes(app, deps.db);

  const bearerUser = async (header: string): Promise<string> => {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw unauthorized('Send an API token as "Authorization: Bearer <token>"');
    const userId = await authenticateToken(deps.db, match[1]);
    if (!userId) throw unauthorized('The API token is unknown, revoked or expired');
    return userId;
  };
  const authenticate = async (request: FastifyRequest): Promise<ActorContext> => {
    // A bearer token when one is sent (API clients); otherwise the console's session cookie and CSRF header.
    const userId =
      request.headers.authorization !== undefined
        ? await bearerUser(request.headers.authorization)
        : (await sessionOfRequest(deps.db, request)).userId;
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

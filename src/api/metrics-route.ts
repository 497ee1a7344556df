/**
 * GET /metrics: Prometheus text exposition of this process's counters
 * (observability/metrics.ts) and the deployment's figures read from the
 * database at scrape time (observability/database-metrics.ts). Outside /api
 * because that is where scrapers look; guarded by its own bearer token
 * (observability/metrics-access.ts), off when none is configured.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Gauge, Registry } from 'prom-client';
import type { Db } from '../db/connection.js';
import { collectDatabaseMetrics } from '../observability/database-metrics.js';
import { metricsAccess } from '../observability/metrics-access.js';
import { collectProcessDefaults, processMetrics } from '../observability/metrics.js';
import { errorBody } from './errors.js';
import type { RouteSpec } from './routes.js';

export const METRICS_ROUTE_DOC: Omit<RouteSpec, 'handler'> = {
  method: 'GET',
  path: '/metrics',
  tag: 'Operations',
  summary:
    'Prometheus metrics (text format). Off unless MAILROOM_METRICS_TOKEN is set; then send it as "Authorization: Bearer <token>" (API tokens are not accepted)',
};

/** A scrape still answers when the database does not, and says so. */
function databaseDown(): Registry {
  const registry = new Registry();
  new Gauge({
    name: 'mailroom_metrics_database_up',
    help: 'Whether the database answered the queries of this scrape',
    registers: [registry],
  }).set(0);
  return registry;
}

function databaseUp(registry: Registry): Registry {
  new Gauge({
    name: 'mailroom_metrics_database_up',
    help: 'Whether the database answered the queries of this scrape',
    registers: [registry],
  }).set(1);
  return registry;
}

export function registerMetricsRoute(
  app: FastifyInstance,
  options: { readonly db: Db; readonly token: string | undefined },
): void {
  app.get('/metrics', async (request, reply) => {
    const access = metricsAccess(options.token, request.headers.authorization);
    if (access === 'disabled') {
      return reply
        .status(404)
        .send(
          errorBody(
            404,
            'MR_ERR_METRICS_DISABLED',
            'Metrics are off: set MAILROOM_METRICS_TOKEN and scrape with that bearer token',
          ),
        );
    }
    if (access === 'denied') {
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer')
        .send(
          errorBody(401, 'MR_ERR_UNAUTHORIZED', 'Send the metrics token as "Authorization: Bearer <token>"'),
        );
    }
    collectProcessDefaults();
    let fromDatabase: Registry;
    try {
      fromDatabase = databaseUp(await collectDatabaseMetrics(options.db));
    } catch (error) {
      request.log.warn({ err: error }, 'metrics: the database did not answer');
      fromDatabase = databaseDown();
    }
    const merged = Registry.merge([processMetrics, fromDatabase]);
    const text = await merged.metrics();
    return reply.header('content-type', merged.contentType).send(text);
  });
}

/**
 * A server with /metrics alone, for `mailroom worker` processes (which serve
 * no API): their counters would otherwise be out of any scraper's reach.
 */
export async function startMetricsServer(options: {
  readonly db: Db;
  readonly token: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly logger?: Logger | undefined;
}): Promise<{ readonly port: number; close(): Promise<void> }> {
  const app = Fastify({ loggerInstance: options.logger as FastifyBaseLogger | undefined });
  registerMetricsRoute(app, options);
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send(
        errorBody(
          404,
          'MR_ERR_ROUTE_NOT_FOUND',
          `No route ${request.method} ${request.url.split('?')[0] ?? ''}`,
        ),
      );
  });
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () => app.close(),
  };
}

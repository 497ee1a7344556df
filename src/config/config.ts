/**
 * Configuration comes from the environment only, so the same build runs on a
 * laptop, in CI and in a container. Every variable is documented in
 * docs/configuration.md.
 */
import { resolve } from 'node:path';
import { z } from 'zod';

const environmentSchema = z.object({
  MAILROOM_DATABASE_URL: z.string().min(1).optional(),
  MAILROOM_DATA_DIR: z.string().min(1).default('./data'),
  MAILROOM_HOST: z.string().min(1).default('localhost'),
  MAILROOM_PORT: z.coerce.number().int().min(0).max(65535).default(8025),
  MAILROOM_SECRET_KEY: z.string().min(1).optional(),
  MAILROOM_MODE: z.enum(['development', 'production']).default('development'),
  MAILROOM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAILROOM_WORKER_ID: z.string().min(1).optional(),
  MAILROOM_TLS_CA_FILE: z.string().min(1).optional(),
  MAILROOM_INCOMING_BATCH_MESSAGES: z.coerce.number().int().min(1).max(1000).optional(),
  MAILROOM_PARSE_THREADS: z.coerce.number().int().min(0).max(32).optional(),
  MAILROOM_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  MAILROOM_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
});

export interface Config {
  /** PostgreSQL URL; absent means the embedded database under `dataDir` */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  /** base64 or hex key for credentials at rest; required in production mode */
  readonly secretKey: string | undefined;
  readonly mode: 'development' | 'production';
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly workerId: string | undefined;
  /** PEM file of extra certificate authorities trusted for mail and calendar servers (a company CA) */
  readonly tlsCaFile: string | undefined;
  /** messages per IMAP fetch and per transaction of an incoming cycle (default 250) */
  readonly incomingBatchMessages?: number | undefined;
  /** threads that parse incoming messages; 0 parses on the main thread; absent: one per core beyond the first, up to 4 */
  readonly parseThreads?: number | undefined;
  /** bearer token that opens GET /metrics; without one the endpoint is off */
  readonly metricsToken?: string | undefined;
  /** `mailroom worker` serves /metrics on this port (on MAILROOM_HOST); absent: workers serve no metrics */
  readonly metricsPort?: number | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as it does for most Unix tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  return {
    databaseUrl: values.MAILROOM_DATABASE_URL,
    dataDir: resolve(values.MAILROOM_DATA_DIR),
    host: values.MAILROOM_HOST,
    port: values.MAILROOM_PORT,
    secretKey: values.MAILROOM_SECRET_KEY,
    mode: values.MAILROOM_MODE,
    logLevel: values.MAILROOM_LOG_LEVEL,
    workerId: values.MAILROOM_WORKER_ID,
    tlsCaFile: values.MAILROOM_TLS_CA_FILE,
    incomingBatchMessages: values.MAILROOM_INCOMING_BATCH_MESSAGES,
    parseThreads: values.MAILROOM_PARSE_THREADS,
    metricsToken: values.MAILROOM_METRICS_TOKEN,
    metricsPort: values.MAILROOM_METRICS_PORT,
  };
}

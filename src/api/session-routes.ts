/**
 * Signing in to the console, and users' console passwords.
 *
 * The console signs in with a user name and password, or with an API token,
 * and gets a session cookie (HTTP-only, SameSite=Strict) plus a CSRF token
 * that it sends back in the `X-CSRF-Token` header on every state-changing
 * request (see `security/sessions.ts` for why). The sign-in itself needs no
 * CSRF token: it only accepts a JSON body, which a page of another site
 * cannot send without a CORS preflight that this server never grants.
 *
 * The session routes are registered directly (they run before anyone is
 * signed in); the password routes are ordinary authenticated routes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../db/connection.js';
import { isId } from '../db/ids.js';
import { DomainError, notFound, unauthorized, validationError } from '../resources/errors.js';
import { authorize, parseInput, type ResourceService } from '../resources/service.js';
import { LoginThrottle } from '../security/login-throttle.js';
import {
  decoyHash,
  MAX_PASSWORD_LENGTH,
  passwordHashOf,
  passwordProblem,
  setPassword,
  verifyPassword,
} from '../security/passwords.js';
import { users } from '../security/resources.js';
import {
  CSRF_HEADER,
  csrfMatches,
  findSession,
  openSession,
  readCookie,
  revokeOtherSessions,
  revokeSession,
  SESSION_COOKIE,
  sessionCookie,
  type ActiveSession,
} from '../security/sessions.js';
import { authenticateTokenDetails } from '../security/tokens.js';
import type { RouteSpec } from './routes.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const signIn = z
  .strictObject({
    username: z.string().trim().min(1).max(250).optional(),
    password: z.string().min(1).max(MAX_PASSWORD_LENGTH).optional(),
    token: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('an API token, instead of a user name and password'),
  })
  .refine(
    (body) => (body.token === undefined) === (body.username !== undefined && body.password !== undefined),
    'give a username and a password, or a token',
  );

const sessionView = z.object({
  user: z.object({ id: z.uuid(), name: z.string(), username: z.string() }),
  csrfToken: z.string().describe(`send it as the ${CSRF_HEADER} header on every POST, PUT, PATCH and DELETE`),
  expiresAt: z.iso.datetime(),
});

const passwordChange = z.strictObject({
  password: z.string().max(MAX_PASSWORD_LENGTH),
  currentPassword: z
    .string()
    .max(MAX_PASSWORD_LENGTH)
    .optional()
    .describe('needed to change your own password once you have one'),
});

/** Documentation of the routes `registerSessionRoutes` serves (for the OpenAPI document). */
export const SESSION_ROUTE_DOCS: readonly Omit<RouteSpec, 'handler'>[] = [
  {
    method: 'POST',
    path: '/api/session',
    tag: 'Identity',
    summary:
      'Sign in to the console with a user name and password, or with an API token: sets the session cookie and returns the CSRF token',
    body: signIn,
    response: sessionView,
    status: 201,
    public: true,
  },
  {
    method: 'GET',
    path: '/api/session',
    tag: 'Identity',
    summary: 'The console session of the session cookie, with its CSRF token',
    response: sessionView,
  },
  {
    method: 'DELETE',
    path: '/api/session',
    tag: 'Identity',
    summary: 'Sign out: ends the session and clears the cookie',
    status: 204,
  },
];

function isSecure(request: FastifyRequest): boolean {
  // Behind a TLS-terminating proxy the connection is plain HTTP; the proxy's header says what the browser used.
  return request.protocol === 'https' || request.headers['x-forwarded-proto'] === 'https';
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The session of a request signed in by cookie. State-changing methods must
 * also carry the session's CSRF token; without it the request is refused even
 * though the cookie is valid.
 */
export async function sessionOfRequest(db: Db, request: FastifyRequest): Promise<ActiveSession> {
  const secret = readCookie(request.headers.cookie, SESSION_COOKIE);
  if (!secret) {
    throw unauthorized('Send an API token as "Authorization: Bearer <token>", or sign in to the console');
  }
  const session = await findSession(db, secret);
  if (!session) throw unauthorized('The console session has ended; sign in again');
  if (!SAFE_METHODS.has(request.method) && !csrfMatches(secret, header(request, CSRF_HEADER))) {
    throw new DomainError(
      'MR_ERR_CSRF',
      403,
      `A request signed in by session cookie must send the session's CSRF token in the ${CSRF_HEADER} header`,
    );
  }
  return session;
}

async function sessionAnswer(db: Db, session: Pick<ActiveSession, 'userId' | 'csrfToken' | 'expiresAt'>) {
  const user = await db
    .selectFrom('users')
    .select(['id', 'name', 'username'])
    .where('id', '=', session.userId)
    .executeTakeFirstOrThrow();
  return {
    user,
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt.toISOString(),
  };
}

const WRONG_CREDENTIALS = 'The user name or password is incorrect, or the user is disabled';

/** The user a user name and password sign in, or undefined; takes as long whether the user exists or not. */
async function checkPassword(db: Db, username: string, password: string): Promise<string | undefined> {
  const user = await db
    .selectFrom('users')
    .leftJoin('userPasswords', 'userPasswords.userId', 'users.id')
    .select(['users.id', 'users.disabled', 'userPasswords.passwordHash'])
    .where((eb) => eb(eb.fn('lower', ['users.username']), '=', username.toLowerCase()))
    .executeTakeFirst();
  const ok = await verifyPassword(password, user?.passwordHash ?? (await decoyHash()));
  return ok && user?.passwordHash && !user.disabled ? user.id : undefined;
}

interface SignedIn {
  readonly userId: string;
  readonly method: 'password' | 'token';
  readonly apiTokenId?: string;
}

async function tokenSignIn(db: Db, token: string): Promise<SignedIn> {
  const found = await authenticateTokenDetails(db, token);
  if (!found) throw unauthorized('The API token is unknown, revoked or expired');
  const user = await db
    .selectFrom('users')
    .select('disabled')
    .where('id', '=', found.userId)
    .executeTakeFirst();
  if (!user || user.disabled) throw unauthorized('The API token belongs to a disabled user');
  return { userId: found.userId, method: 'token', apiTokenId: found.id };
}

async function passwordSignIn(
  db: Db,
  throttle: LoginThrottle,
  request: FastifyRequest,
  reply: FastifyReply,
  input: { username: string; password: string },
): Promise<SignedIn> {
  const keys = [`user:${input.username.toLowerCase()}`, `ip:${request.ip}`];
  const wait = throttle.retryAfter(keys);
  if (wait > 0) {
    void reply.header('retry-after', String(Math.ceil(wait / 1000)));
    throw new DomainError(
      'MR_ERR_TOO_MANY_ATTEMPTS',
      429,
      'Too many failed sign-ins; wait a few minutes and try again',
    );
  }
  const userId = await checkPassword(db, input.username, input.password);
  if (!userId) {
    throttle.fail(keys);
    throw unauthorized(WRONG_CREDENTIALS);
  }
  throttle.succeed(keys[0] ?? '');
  return { userId, method: 'password' };
}

export function registerSessionRoutes(app: FastifyInstance, db: Db, throttle = new LoginThrottle()): void {
  app.post('/api/session', async (request, reply) => {
    const input = parseInput(signIn, request.body, 'sign-in');
    const signedIn = input.token
      ? await tokenSignIn(db, input.token)
      : await passwordSignIn(db, throttle, request, reply, {
          username: input.username ?? '',
          password: input.password ?? '',
        });
    const opened = await openSession(db, signedIn);
    void reply.header('set-cookie', sessionCookie(opened.secret, { secure: isSecure(request) }));
    void reply.status(201).header('cache-control', 'no-store');
    return sessionAnswer(db, { ...opened, ...signedIn });
  });

  app.get('/api/session', async (request, reply) => {
    const session = await sessionOfRequest(db, request);
    void reply.header('cache-control', 'no-store');
    return sessionAnswer(db, session);
  });

  app.delete('/api/session', async (request, reply) => {
    const session = await sessionOfRequest(db, request);
    await revokeSession(db, session.id);
    return reply
      .status(204)
      .header('set-cookie', sessionCookie(null, { secure: isSecure(request) }))
      .send();
  });
}

/** The session id of the request's cookie, if any: a password change keeps the caller signed in. */
async function currentSessionId(db: Db, reply: FastifyReply): Promise<string | undefined> {
  const secret = readCookie(reply.request.headers.cookie, SESSION_COOKIE);
  return secret ? (await findSession(db, secret))?.id : undefined;
}

export function passwordRoutes(service: ResourceService): RouteSpec[] {
  return [
    {
      method: 'GET',
      path: '/api/users/:id/password',
      tag: 'User',
      summary: 'Whether the user has a console password, and when it was last changed (never the password)',
      response: z.object({ set: z.boolean(), changedAt: z.iso.datetime().nullable() }),
      handler: async ({ ctx, params }) => {
        await service.get(ctx, users, params.id ?? '');
        const row = await ctx.db
          .selectFrom('userPasswords')
          .select('changedAt')
          .where('userId', '=', params.id ?? '')
          .executeTakeFirst();
        return { set: Boolean(row), changedAt: row?.changedAt.toISOString() ?? null };
      },
    },
    {
      method: 'PUT',
      path: '/api/users/:id/password',
      tag: 'User',
      summary:
        "Set a user's console password: your own (with the current one, once you have one) or another user's you may write; ends the user's other sessions",
      body: passwordChange,
      status: 204,
      handler: async ({ ctx, params, body, reply }) => {
        const input = parseInput(passwordChange, body, 'password change');
        const user = await service.load(ctx, users, params.id ?? '');
        const userId = String(user.id);
        const existing = await passwordHashOf(ctx.db, userId);
        if (userId === ctx.actor.id && existing) {
          // Someone at an unlocked, signed-in console must not be able to lock the owner out.
          if (!input.currentPassword || !(await verifyPassword(input.currentPassword, existing))) {
            throw validationError('The current password is incorrect', [
              { field: 'currentPassword', message: 'incorrect' },
            ]);
          }
        } else if (userId !== ctx.actor.id) {
          authorize(ctx, users, 'write', users.ownership(user as never), "set this user's password");
        }
        const problem = passwordProblem(input.password, String(user.username));
        if (problem) throw validationError(`password ${problem}`, [{ field: 'password', message: problem }]);
        await setPassword(ctx.db, userId, input.password);
        await revokeOtherSessions(ctx.db, userId, await currentSessionId(ctx.db, reply));
      },
    },
    {
      method: 'DELETE',
      path: '/api/users/:id/password',
      tag: 'User',
      summary:
        "Remove a user's console password (it can then sign in only with an API token) and end its sessions",
      status: 204,
      handler: async ({ ctx, params }) => {
        if (!isId(params.id ?? '')) throw notFound('User', params.id ?? '');
        const user = await service.loadAuthorized(
          ctx,
          users,
          params.id ?? '',
          'write',
          "remove this user's password",
        );
        await ctx.db.deleteFrom('userPasswords').where('userId', '=', String(user.id)).execute();
        await revokeOtherSessions(ctx.db, String(user.id), undefined);
      },
    },
  ];
}

/**
 * The OpenAPI document describes exactly the routes the server registers,
 * with request body schemas, parameters and unique operation ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES } from '../../../src/resources/registry.js';
import { createTestApp, type TestApp } from '../../support/app.js';

interface Operation {
  operationId?: string;
  tags?: string[];
  summary?: string;
  parameters?: { name: string; in: string; required?: boolean; schema?: Record<string, unknown> }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Record<string, unknown> }> };
  responses?: Record<
    string,
    { description?: string; content?: Record<string, { schema?: Record<string, unknown> }> }
  >;
  security?: unknown[];
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  security: unknown[];
  paths: Record<string, Record<string, Operation>>;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let t: TestApp;
let doc: Document;

/**
 * The routes Fastify actually registered, as "METHOD /path/{param}", read from its route tree
 * (`printRoutes` is the only public listing). HEAD is added by Fastify for every GET and not documented.
 */
function registeredRoutes(app: TestApp['app']): string[] {
  const lines = app.printRoutes({ commonPrefix: false }).split('\n');
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of lines) {
    const match = /^([│ ]*)(?:├── |└── )(\S+)(?: \(([^)]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = (depth === 0 ? '' : stack[depth - 1]!) + match[2]!;
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of (match[3] ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter(Boolean)) {
      if (method === 'HEAD') continue;
      routes.push(`${method} ${path.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    }
  }
  return routes.sort();
}

function documentedRoutes(document: Document): string[] {
  return Object.entries(document.paths)
    .flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    )
    .sort();
}

function operations(document: Document): [string, string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => [path, method, op] as [string, string, Operation]),
  );
}

beforeAll(async () => {
  t = await createTestApp();
  const res = await t.request<Document>('GET', '/api/openapi.json', { token: null });
  expect(res.status).toBe(200);
  doc = res.body;
});

afterAll(async () => {
  await t?.close();
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with bearer or console-session authentication', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: expect.any(String), version: 'test' });
    expect(doc.components.securitySchemes).toEqual({
      bearerToken: { type: 'http', scheme: 'bearer' },
      sessionCookie: { type: 'apiKey', in: 'cookie', name: 'mailroom_session' },
    });
    expect(doc.security).toEqual([{ bearerToken: [] }, { sessionCookie: [] }]);
  });

  it('lists every registered /api route, and only those', () => {
    const registered = registeredRoutes(t.app).filter((route) => route.split(' ')[1]!.startsWith('/api/'));
    // Sanity check of the route listing itself.
    expect(registered).toContain('GET /api/users/{id}');
    expect(registered).toContain('DELETE /api/teams/{id}/members/{userId}');
    expect(registered.length).toBeGreaterThan(70);
    expect(documentedRoutes(doc)).toEqual([...registered, 'GET /metrics'].sort());
    // The only routes outside /api are the console's (its page, its files and its client-side routes)
    // and /metrics, where Prometheus scrapers look by default.
    expect(registeredRoutes(t.app).filter((route) => !route.split(' ')[1]!.startsWith('/api/'))).toEqual([
      'GET /',
      'GET /*',
      'GET /metrics',
    ]);
  });

  it('has the five standard routes of each resource that supports them', () => {
    for (const resource of RESOURCES) {
      const base = `/api/${resource.name}`;
      const expected = [
        ...(resource.operations.includes('list') ? ['get'] : []),
        ...(resource.operations.includes('create') ? ['post'] : []),
      ].sort();
      expect(Object.keys(doc.paths[base] ?? {}).sort(), base).toEqual(expected);
      const single = [
        ...(resource.operations.includes('get') ? ['get'] : []),
        ...(resource.operations.includes('update') ? ['patch'] : []),
        ...(resource.operations.includes('delete') ? ['delete'] : []),
      ].sort();
      expect(Object.keys(doc.paths[`${base}/{id}`] ?? {}).sort(), `${base}/{id}`).toEqual(single);
    }
  });

  it('uses only HTTP methods as operation keys', () => {
    for (const [path, method] of operations(doc)) expect(HTTP_METHODS, `${path} ${method}`).toContain(method);
  });

  it('gives every operation a unique operationId', () => {
    const ids = operations(doc).map(([path, method, op]) => {
      expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z0-9]*$/);
      return op.operationId!;
    });
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives every operation a tag, a summary and responses with the error schema', () => {
    expect(doc.components.schemas.Error).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['code', 'message']),
    });
    for (const [path, method, op] of operations(doc)) {
      const where = `${method} ${path}`;
      expect(op.tags?.length, where).toBe(1);
      expect(op.summary, where).toEqual(expect.any(String));
      expect(op.responses?.default?.content?.['application/json']?.schema, where).toEqual({
        $ref: '#/components/schemas/Error',
      });
      const success = Object.keys(op.responses ?? {}).filter((status) => status !== 'default');
      expect(success.length, where).toBe(1);
      expect(['200', '201', '202', '204'], where).toContain(success[0]);
      if (method === 'delete') expect(success[0], where).toBe('204');
      // Creating a record answers 201; actions on a record (…/activate, …/test-and-enable) answer 200, 202 or 204.
      if (method === 'post' && isCollection(path) && success[0] !== '204')
        expect(success[0], where).toBe('201');
    }
  });

  it('gives every request body a JSON schema, and every POST and PATCH a body', () => {
    for (const [path, method, op] of operations(doc)) {
      const where = `${method} ${path}`;
      if (method === 'patch' || method === 'put' || (method === 'post' && isCollection(path))) {
        expect(op.requestBody, where).toBeDefined();
      }
      if (!op.requestBody) continue;
      const schema = op.requestBody.content?.['application/json']?.schema;
      expect(schema, where).toMatchObject({ type: 'object' });
      expect(
        Object.keys((schema?.properties as Record<string, unknown>) ?? {}).length,
        where,
      ).toBeGreaterThan(0);
      // Unknown fields are refused, and the document says so.
      expect(schema?.additionalProperties, where).toBe(false);
    }
    const userCreate = doc.paths['/api/users']!.post!.requestBody!.content!['application/json']!.schema!;
    expect(userCreate.required).toEqual(expect.arrayContaining(['name', 'username']));
    const profileCreate =
      doc.paths['/api/email-server-profiles']!.post!.requestBody!.content!['application/json']!.schema!;
    expect(Object.keys(profileCreate.properties as object)).toEqual(
      expect.arrayContaining(['incomingPassword', 'outgoingPassword']),
    );
  });

  it('declares every path parameter, and the list parameters of each resource', () => {
    for (const [path, method, op] of operations(doc)) {
      const names = [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
      expect(
        declared.map((p) => p.name),
        `${method} ${path}`,
      ).toEqual(names);
      for (const p of declared) expect(p.required).toBe(true);
    }
    for (const resource of RESOURCES.filter((r) => r.operations.includes('list'))) {
      const op = doc.paths[`/api/${resource.name}`]!.get!;
      const query = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      const expected = [
        'limit',
        'cursor',
        ...(resource.searchColumns?.length ? ['q'] : []),
        ...Object.keys(resource.filters ?? {}),
      ];
      expect(query.sort(), resource.name).toEqual(expected.sort());
    }
    const limit = doc.paths['/api/contacts']!.get!.parameters!.find((p) => p.name === 'limit')!;
    expect(limit.schema).toMatchObject({ minimum: 1, maximum: 200 });
  });

  it('leaves health, the document and signing in open, and every other route behind the token', () => {
    for (const [path, method, op] of operations(doc)) {
      if (
        path === '/api/health' ||
        path === '/api/openapi.json' ||
        (path === '/api/session' && method === 'post')
      )
        expect(op.security, path).toEqual([]);
      else expect(op.security, `${method} ${path}`).toBeUndefined();
    }
  });

  it('has no reference that points outside the document', () => {
    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.push(value);
          else walk(value);
        }
      }
    };
    walk(doc);
    for (const ref of refs) {
      expect(ref, ref).toMatch(/^#\//);
      const target = ref
        .slice(2)
        .split('/')
        .reduce<unknown>(
          (node, part) =>
            (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')],
          doc,
        );
      expect(target, ref).toBeDefined();
    }
  });

  it('never shows a stored password in a response schema', () => {
    for (const [path, method, op] of operations(doc)) {
      const text = JSON.stringify(op.responses);
      expect(text, `${method} ${path}`).not.toMatch(
        /"(password|incomingPassword|outgoingPassword|\w*Encrypted|tokenHash)"/,
      );
    }
  });
});

/** `/api/users` and `/api/users/{id}/roles` are collections; `/api/mailboxes/{id}/activate` is an action. */
function isCollection(path: string): boolean {
  const last = path.split('/').at(-1) ?? '';
  return (
    !last.startsWith('{') &&
    !/^(activate|deactivate|approve|reject|test-and-enable|test-and-enable-mailboxes|test-connection|diagnosis|retry|send|\{index\})$/.test(
      last,
    ) &&
    !path.includes('/fix-actions/')
  );
}

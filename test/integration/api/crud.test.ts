/**
 * Create, read, list (filter, search, paging), change and delete every
 * resource of the registry through the REST API on real PostgreSQL, plus the
 * routes that are not plain CRUD: attachments, organization settings, team
 * members, role assignment, /api/me and tokens.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/db/ids.js';
import { RESOURCES } from '../../../src/resources/registry.js';
import { createTestApp, type ApiResponse, type TestApp } from '../../support/app.js';

type Body = Record<string, unknown>;
interface Page {
  items: Body[];
  nextCursor: string | null;
}

let t: TestApp;

function expectStatus(res: ApiResponse<unknown>, status: number): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
}

async function create(path: string, body: Body): Promise<Body> {
  const res = await t.request<Body>('POST', path, { body });
  expectStatus(res, 201);
  return res.body;
}

async function listAll(path: string, query = ''): Promise<string[]> {
  const res = await t.request<Page>('GET', `${path}?limit=200${query ? `&${query}` : ''}`);
  expectStatus(res, 200);
  expect(res.body.nextCursor).toBeNull();
  return res.body.items.map((item) => String(item.id));
}

/** How one resource is exercised: three records to create, a filter and a search that each pick some of them, a change. */
interface Fixture {
  /** makes the i-th record (0, 1, 2); records 0 and 2 must match `search`, record 1 must not */
  create(i: number): Body;
  /** a filter query that selects exactly record `i` (built from the created views) */
  filter?(created: readonly Body[], i: number): string;
  /** a search term matching records 0 and 2 only (any case) */
  search?: string;
  patch: Body;
  /** what the view shows after the patch (defaults to the patch) */
  patched?: Body;
  /** what the created view must show (defaults to the scalar fields of the input) */
  createdView?(input: Body, i: number): Body;
  deletable?: boolean;
}

const context: { queueId: string; activityIds: string[]; profileId: string; teamId: string } = {
  queueId: '',
  activityIds: [],
  profileId: '',
  teamId: '',
};

const party = (address: string, displayName: string | null = null) => ({ address, displayName });

const FIXTURES: Record<string, Fixture> = {
  'business-units': {
    create: (i) => ({ name: `Unit ${i % 2 ? 'beta' : 'alpha'} ${i}` }),
    filter: (created, i) => `name=${encodeURIComponent(String(created[i]!.name))}`,
    search: 'ALPHA',
    patch: { name: 'Unit renamed' },
    createdView: (input) => ({ ...input, disabled: false, parentId: expect.any(String) }),
  },
  roles: {
    create: (i) => ({
      name: `Role ${i % 2 ? 'beta' : 'alpha'} ${i}`,
      privileges: { 'contact:read': 'user' },
    }),
    filter: (created, i) => `name=${encodeURIComponent(String(created[i]!.name))}`,
    search: 'alpha',
    patch: {
      description: 'changed',
      privileges: { 'contact:read': 'organization', 'contact:write': 'user' },
    },
    createdView: (input) => ({ ...input, memberInheritance: 'directUser', predefinedKey: null }),
  },
  users: {
    create: (i) => ({
      name: `User ${i % 2 ? 'beta' : 'alpha'} ${i}`,
      username: `crud-user-${i}`,
      emailAddress: `crud-user-${i}@example.test`,
    }),
    filter: (created, i) => `username=${String(created[i]!.username)}`,
    search: 'Alpha',
    patch: { name: 'User renamed', allowSendAs: true },
    createdView: (input) => ({
      ...input,
      disabled: false,
      allowSendAs: false,
      roleIds: [],
      teamIds: [],
      mailboxId: expect.any(String),
    }),
    deletable: false,
  },
  teams: {
    create: (i) => ({ name: `Team ${i % 2 ? 'beta' : 'alpha'} ${i}` }),
    filter: (created, i) => `name=${encodeURIComponent(String(created[i]!.name))}`,
    search: 'alpha',
    patch: { name: 'Team renamed', emailAddress: 'team@example.test' },
    createdView: (input) => ({ ...input, teamType: 'owner', memberIds: [], roleIds: [] }),
  },
  'email-server-profiles': {
    create: (i) => ({
      name: `Profile ${i % 2 ? 'beta' : 'alpha'} ${i}`,
      serverType: 'imap-smtp',
      incomingHost: `imap${i}.example.test`,
      outgoingHost: `smtp${i}.example.test`,
    }),
    filter: (created, i) => `name=${encodeURIComponent(String(created[i]!.name))}`,
    search: 'alpha',
    patch: { minPollingIntervalMinutes: 5, incomingPort: 1993 },
    // The standard ports for the protocol and TLS mode fill in missing ones.
    createdView: (input) => ({
      ...input,
      incomingPort: 993,
      incomingTls: 'implicit',
      outgoingPort: 587,
      outgoingTls: 'starttls',
    }),
  },
  queues: {
    create: (i) => ({
      name: `Queue ${i % 2 ? 'beta' : 'alpha'} ${i}`,
      emailAddress: `queue-${i}@example.test`,
    }),
    filter: (created, i) => `emailAddress=${String(created[i]!.emailAddress)}`,
    search: 'alpha',
    patch: { description: 'changed', incomingEmailFilter: 'responsesToTrackedEmail' },
    createdView: (input) => ({
      ...input,
      mailboxId: expect.any(String),
      incomingEmailFilter: 'all',
      queueViewType: 'public',
    }),
  },
  mailboxes: {
    create: (i) => ({
      name: `Mailbox ${i % 2 ? 'beta' : 'alpha'} ${i}`,
      emailAddress: `mailbox-${i}@example.test`,
    }),
    filter: (created, i) => `emailAddress=${String(created[i]!.emailAddress)}`,
    // (users' and queues' mailboxes carry their names, "User alpha 0"…)
    search: 'mailbox ALPHA',
    patch: { incomingMethod: 'none', actMethod: 'serverSideSync' },
    createdView: (input) => ({
      ...input,
      approvalStatus: 'pendingApproval',
      regardingType: null,
      passwordSet: false,
    }),
  },
  accounts: {
    create: (i) => ({
      name: `Account ${i % 2 ? 'beta' : 'alpha'} ${i}`,
      emailAddress1: `account-${i}@example.test`,
    }),
    filter: (created, i) => `emailAddress1=${String(created[i]!.emailAddress1)}`,
    search: 'alpha',
    patch: { telephone: '+1 555 0100', state: 'inactive' },
  },
  contacts: {
    create: (i) => ({
      firstName: i % 2 ? 'Beta' : 'Alpha',
      lastName: `Contact ${i}`,
      emailAddress1: `contact-${i}@example.test`,
    }),
    filter: (created, i) => `emailAddress1=${String(created[i]!.emailAddress1)}`,
    search: 'alpha',
    patch: { firstName: 'Gamma', jobTitle: 'Buyer' },
    patched: { firstName: 'Gamma', jobTitle: 'Buyer', fullName: expect.stringMatching(/^Gamma Contact \d$/) },
    createdView: (input, i) => ({ ...input, fullName: `${i % 2 ? 'Beta' : 'Alpha'} Contact ${i}` }),
  },
  leads: {
    create: (i) => ({
      lastName: `Lead ${i}`,
      companyName: `${i % 2 ? 'Beta' : 'Alpha'} Ltd`,
      emailAddress1: `lead-${i}@example.test`,
    }),
    filter: (created, i) => `emailAddress1=${String(created[i]!.emailAddress1)}`,
    search: 'alpha',
    patch: { state: 'qualified' },
    createdView: (input) => ({ ...input, state: 'open' }),
  },
  emails: {
    create: (i) => ({
      subject: `Email ${i % 2 ? 'beta' : 'alpha'} ${i}`,
      direction: i === 1 ? 'incoming' : 'outgoing',
      bodyText: `body ${i}`,
      from: [party(`sender${i}@example.test`, 'Sender')],
      to: [party(`to${i}@example.test`), party(`to${i}b@example.test`, 'Second')],
      cc: [party(`cc${i}@example.test`)],
    }),
    filter: (created, i) => `messageId=${encodeURIComponent(String(created[i]!.messageId ?? ''))}`,
    search: 'alpha',
    patch: { subject: 'Email changed', to: [party('replaced@example.test')], status: 'completed' },
    patched: {
      subject: 'Email changed',
      status: 'completed',
      state: 'completed',
      to: [expect.objectContaining({ address: 'replaced@example.test' })],
    },
    createdView: (input) => ({
      subject: input.subject,
      direction: input.direction,
      status: 'draft',
      state: 'open',
      from: [expect.objectContaining({ address: (input.from as Body[])[0]!.address, displayName: 'Sender' })],
      to: (input.to as Body[]).map((p) => expect.objectContaining({ address: p.address })),
      cc: [expect.objectContaining({ address: (input.cc as Body[])[0]!.address })],
      bcc: [],
      attachments: [],
    }),
  },
  appointments: {
    create: (i) => ({
      subject: `Appointment ${i % 2 ? 'beta' : 'alpha'} ${i}`,
      scheduledStart: `2030-01-0${i + 1}T09:00:00.000Z`,
      scheduledEnd: `2030-01-0${i + 1}T10:00:00.000Z`,
      location: `Room ${i}`,
      organizer: [party('organizer@example.test', 'Organizer')],
      requiredAttendees: [party(`required${i}@example.test`)],
      optionalAttendees: [party(`optional${i}@example.test`), party(`optional${i}b@example.test`)],
    }),
    filter: (created, i) =>
      `status=${String(created[i]!.status)}&regardingId=${String(created[i]!.regardingId)}`,
    search: 'alpha',
    patch: { location: 'Elsewhere', requiredAttendees: [] },
    patched: { location: 'Elsewhere', requiredAttendees: [] },
    createdView: (input) => ({
      subject: input.subject,
      scheduledStart: input.scheduledStart,
      scheduledEnd: input.scheduledEnd,
      location: input.location,
      status: 'busy',
      state: 'scheduled',
      organizer: [expect.objectContaining({ address: 'organizer@example.test', displayName: 'Organizer' })],
      requiredAttendees: [
        expect.objectContaining({ address: (input.requiredAttendees as Body[])[0]!.address }),
      ],
      optionalAttendees: (input.optionalAttendees as Body[]).map((p) =>
        expect.objectContaining({ address: p.address }),
      ),
    }),
  },
  tasks: {
    create: (i) => ({
      subject: `Task ${i % 2 ? 'beta' : 'alpha'} ${i}`,
      scheduledEnd: '2030-02-01T00:00:00.000Z',
      percentComplete: i * 10,
    }),
    filter: undefined,
    search: 'alpha',
    patch: { status: 'completed', percentComplete: 100 },
    patched: { status: 'completed', state: 'completed', percentComplete: 100 },
    createdView: (input) => ({ ...input, status: 'notStarted', state: 'open' }),
  },
  'queue-items': {
    create: (i) => ({ queueId: context.queueId, activityId: context.activityIds[i] }),
    filter: (created, i) => `activityId=${String(created[i]!.activityId)}`,
    patch: { state: 'inactive' },
    createdView: (input) => ({ ...input, workerId: null, state: 'active' }),
  },
};

beforeAll(async () => {
  t = await createTestApp();
  context.queueId = String((await create('/api/queues', { name: 'Queue-item queue' })).id);
  for (let i = 0; i < 3; i += 1) {
    context.activityIds.push(String((await create('/api/emails', { subject: `queued ${i}` })).id));
  }
}, 60_000);

afterAll(async () => {
  await t?.close();
});

it('exercises every resource of the registry', () => {
  expect(Object.keys(FIXTURES).sort()).toEqual(
    RESOURCES.filter((resource) => resource.operations.includes('create'))
      .map((resource) => resource.name)
      .sort(),
  );
  // The one resource without create (alerts) is covered below.
  expect(RESOURCES.filter((resource) => !resource.operations.includes('create')).map((r) => r.name)).toEqual([
    'alerts',
  ]);
});

/** The fields of `input` that are plain values (lists and objects are checked by createdView). */
function scalars(input: Body): Body {
  return Object.fromEntries(
    Object.entries(input).filter(([, value]) => typeof value !== 'object' || value === null),
  );
}

describe.each(Object.entries(FIXTURES))('%s', (name, fixture) => {
  const base = `/api/${name}`;
  const created: Body[] = [];
  const inputs: Body[] = [];

  it('creates records (201) that read back the same (200)', async () => {
    for (let i = 0; i < 3; i += 1) {
      const input = fixture.create(i);
      // Emails carry a Message-ID so that they can be picked by the messageId filter.
      if (name === 'emails') input.messageId = `<crud-${i}-${newId()}@example.test>`;
      // Appointments are picked by a regarding record and status.
      if (name === 'appointments')
        Object.assign(input, { regardingType: 'queue', regardingId: context.queueId });
      inputs.push(input);
      const body = await create(base, input);
      const expected = fixture.createdView ? fixture.createdView(input, i) : scalars(input);
      const {
        password: _p,
        incomingPassword: _i,
        outgoingPassword: _o,
        privileges: _privileges,
        ...visible
      } = expected;
      expect(body).toMatchObject({ id: expect.any(String), ...visible });
      created.push(body);
      const read = await t.request<Body>('GET', `${base}/${String(body.id)}`);
      expectStatus(read, 200);
      expect(read.body).toEqual(body);
    }
    if (name === 'roles') expect(created[0]!.privileges).toEqual({ 'contact:read': 'user' });
  });

  it('lists with a filter', async () => {
    if (!fixture.filter) {
      // Tasks: filter by state and owner, which picks all three (and the ids of other tasks: none).
      const ids = await listAll(base, `state=open&ownerId=${t.organization.adminUserId}`);
      expect(ids).toEqual(created.map((c) => String(c.id)).reverse());
      return;
    }
    for (const i of [0, 1, 2]) {
      const ids = await listAll(base, fixture.filter(created, i));
      if (name === 'appointments') {
        // all three share status and regarding record
        expect(ids).toEqual(created.map((c) => String(c.id)).reverse());
      } else {
        expect(ids).toEqual([String(created[i]!.id)]);
      }
    }
  });

  it('searches with q (case-insensitive), or refuses q where there is nothing to search', async () => {
    if (!fixture.search) {
      const res = await t.request<Body>('GET', `${base}?q=anything`);
      expectStatus(res, 400);
      expect(res.body).toMatchObject({ code: 'MR_ERR_VALIDATION', details: [{ field: 'q' }] });
      return;
    }
    const ids = await listAll(base, `q=${encodeURIComponent(fixture.search)}`);
    expect(ids).toEqual([String(created[2]!.id), String(created[0]!.id)]);
  });

  it('pages with limit and nextCursor without duplicates or omissions', async () => {
    const all = await listAll(base);
    expect(all.length).toBeGreaterThanOrEqual(3);
    for (const c of created) expect(all).toContain(String(c.id));
    const paged: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: ApiResponse<Page> = await t.request<Page>(
        'GET',
        `${base}?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expectStatus(res, 200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      expect(res.body.items.length).toBeGreaterThan(0);
      paged.push(...res.body.items.map((item) => String(item.id)));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 100);
    expect(paged).toEqual(all);
    expect(new Set(paged).size).toBe(paged.length);
    expect(pages).toBe(Math.ceil(all.length / 2));
    // Newest first: ids are time-ordered.
    expect([...all].sort().reverse()).toEqual(all);
  });

  it('changes only the fields sent', async () => {
    const target = created[1]!;
    const res = await t.request<Body>('PATCH', `${base}/${String(target.id)}`, { body: fixture.patch });
    expectStatus(res, 200);
    const { privileges: _privileges, ...patchedFields } = fixture.patched ?? fixture.patch;
    expect(res.body).toMatchObject(patchedFields);
    const read = await t.request<Body>('GET', `${base}/${String(target.id)}`);
    expect(read.body).toEqual(res.body);
    // Fields not sent keep their values.
    const untouched = Object.keys(target).filter(
      (key) => !(key in fixture.patch) && !['updatedAt', 'state', 'fullName', 'approvalStatus'].includes(key),
    );
    for (const key of untouched) expect(read.body[key], key).toEqual(target[key]);
    if (name === 'roles')
      expect(read.body.privileges).toEqual({ 'contact:read': 'organization', 'contact:write': 'user' });
    // An empty patch changes nothing.
    const empty = await t.request<Body>('PATCH', `${base}/${String(target.id)}`, { body: {} });
    expectStatus(empty, 200);
  });

  it('deletes (204), then answers 404', async () => {
    const target = created[2]!;
    const url = `${base}/${String(target.id)}`;
    const res = await t.request<Body>('DELETE', url);
    if (fixture.deletable === false) {
      // Users are disabled, not deleted: the route says so with 405 and the methods it supports.
      expectStatus(res, 405);
      expect(res.body).toMatchObject({ code: 'MR_ERR_METHOD', statusCode: 405 });
      expect(String(res.raw.headers.allow)).toContain('PATCH');
      expectStatus(await t.request('GET', url), 200);
      return;
    }
    expectStatus(res, 204);
    expect(res.raw.body).toBe('');
    const gone = await t.request<Body>('GET', url);
    expectStatus(gone, 404);
    expect(gone.body).toMatchObject({ code: 'MR_ERR_NOT_FOUND', statusCode: 404 });
    expectStatus(await t.request('PATCH', url, { body: fixture.patch }), 404);
    expectStatus(await t.request('DELETE', url), 404);
    expect(await listAll(base)).not.toContain(String(target.id));
  });
});

describe('alerts (created by synchronization; read and deleted through the API)', () => {
  const ids: string[] = [];
  beforeAll(async () => {
    const admin = await t.request<Body>('GET', '/api/me');
    for (const [i, level] of (['error', 'warning', 'error'] as const).entries()) {
      const id = newId();
      ids.push(id);
      await sql`INSERT INTO alerts (id, level, code, channel, message, fingerprint, owner_id, owner_type, business_unit_id)
        VALUES (${id}, ${level}, ${`Code${i}`}, 'incoming', ${`Alert ${i % 2 ? 'beta' : 'alpha'} ${i}`}, ${`fp-${id}`},
                ${String(admin.body.id)}, 'user', ${String(admin.body.businessUnitId)})`.execute(
        t.database.db,
      );
    }
  });

  it('reads, filters, searches, pages and deletes', async () => {
    const one = await t.request<Body>('GET', `/api/alerts/${ids[0]}`);
    expectStatus(one, 200);
    expect(one.body).toMatchObject({
      id: ids[0],
      level: 'error',
      code: 'Code0',
      occurrenceCount: 1,
      resolvedAt: null,
    });
    expect(one.body).not.toHaveProperty('fingerprint');
    expect(await listAll('/api/alerts', 'level=warning')).toEqual([ids[1]]);
    expect(await listAll('/api/alerts', 'code=Code2')).toEqual([ids[2]]);
    expect(await listAll('/api/alerts', 'q=ALPHA')).toEqual([ids[2], ids[0]]);
    const first = await t.request<Page>('GET', '/api/alerts?limit=2');
    expect(first.body.items.map((a) => a.id)).toEqual([ids[2], ids[1]]);
    const second = await t.request<Page>('GET', `/api/alerts?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    expectStatus(await t.request('DELETE', `/api/alerts/${ids[1]}`), 204);
    expectStatus(await t.request('GET', `/api/alerts/${ids[1]}`), 404);
  });

  it('cannot be created or changed through the API (405)', async () => {
    const post = await t.request<Body>('POST', '/api/alerts', { body: { level: 'error' } });
    expectStatus(post, 405);
    expect(post.body).toMatchObject({ code: 'MR_ERR_METHOD' });
    expectStatus(await t.request('PATCH', `/api/alerts/${ids[0]}`, { body: { level: 'warning' } }), 405);
  });
});

describe('emails with attachments', () => {
  it('stores a base64 attachment and serves its bytes as a download', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 255, 0x3c, 0x73, 0x63]); // binary, with "<sc"
    const email = await create('/api/emails', {
      subject: 'With attachment',
      from: [party('me@example.test')],
      to: [party('you@example.test', 'You')],
      cc: [party('cc@example.test')],
      attachments: [
        { fileName: 'report "Q1" é.pdf', mimeType: 'text/html', contentBase64: bytes.toString('base64') },
      ],
    });
    const attachments = email.attachments as Body[];
    expect(attachments).toEqual([
      {
        id: expect.any(String),
        fileName: 'report "Q1" é.pdf',
        mimeType: 'text/html',
        sizeBytes: bytes.length,
        contentId: null,
        isInline: false,
      },
    ]);
    expect(email).not.toHaveProperty('attachments.0.content');
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/attachments/${String(attachments[0]!.id)}/content`,
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect(res.statusCode).toBe(200);
    expect(Buffer.compare(res.rawPayload, bytes)).toBe(0);
    // Always a download, whatever type the sender claimed.
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(String(res.headers['content-disposition'])).toBe(
      `attachment; filename*=UTF-8''${encodeURIComponent('report "Q1" é.pdf')}`,
    );

    const unknown = await t.request<Body>('GET', `/api/attachments/${newId()}/content`);
    expectStatus(unknown, 404);
    expect(unknown.body).toMatchObject({ code: 'MR_ERR_NOT_FOUND' });

    // Deleting the email deletes its attachments and parties.
    expectStatus(await t.request('DELETE', `/api/emails/${String(email.id)}`), 204);
    expectStatus(await t.request('GET', `/api/attachments/${String(attachments[0]!.id)}/content`), 404);
    const parties = await t.database.db
      .selectFrom('activityParties')
      .select('id')
      .where('activityId', '=', String(email.id))
      .execute();
    expect(parties).toEqual([]);
  });

  it('refuses the attachment to a user who may not read the email', async () => {
    const email = await create('/api/emails', {
      subject: 'Private',
      attachments: [{ fileName: 'a.txt', contentBase64: Buffer.from('secret').toString('base64') }],
    });
    const unit = await create('/api/business-units', { name: 'Attachment readers' });
    const user = await create('/api/users', {
      name: 'Reader',
      username: 'attachment-reader',
      businessUnitId: unit.id,
    });
    const roles = await t.request<Page>('GET', '/api/roles?name=Salesperson');
    expectStatus(
      await t.request('POST', `/api/users/${String(user.id)}/roles`, {
        body: { roleId: roles.body.items[0]!.id },
      }),
      204,
    );
    const token = (
      await t.request<{ token: string }>('POST', '/api/tokens', { body: { name: 'reader', userId: user.id } })
    ).body.token;
    const res = await t.request<Body>(
      'GET',
      `/api/attachments/${String((email.attachments as Body[])[0]!.id)}/content`,
      { token },
    );
    expectStatus(res, 403);
    expect(res.body).toMatchObject({
      code: 'MR_ERR_FORBIDDEN',
      message: expect.stringContaining('prvReadActivity'),
    });
  });
});

describe('organization settings', () => {
  it('reads and changes them', async () => {
    const before = await t.request<Body>('GET', '/api/organization');
    expectStatus(before, 200);
    expect(before.body).toMatchObject({
      id: t.organization.organizationId,
      maxAttachmentSizeKb: 5120,
      trackingTokenPrefix: 'CRM:',
    });
    const changed = await t.request<Body>('PATCH', '/api/organization', {
      body: { trackingTokenPrefix: 'MR:', autoCreateContacts: true, maxAttachmentSizeKb: 1024 },
    });
    expectStatus(changed, 200);
    expect(changed.body).toMatchObject({
      trackingTokenPrefix: 'MR:',
      autoCreateContacts: true,
      maxAttachmentSizeKb: 1024,
    });
    expect(changed.body.name).toBe(before.body.name);
    const after = await t.request<Body>('GET', '/api/organization');
    expect(after.body).toEqual(changed.body);

    const invalid = await t.request<Body>('PATCH', '/api/organization', {
      body: { trackingTokenDigits: 12 },
    });
    expectStatus(invalid, 400);
    expect(invalid.body).toMatchObject({
      code: 'MR_ERR_VALIDATION',
      details: [{ field: 'trackingTokenDigits' }],
    });
    const unknownProfile = await t.request<Body>('PATCH', '/api/organization', {
      body: { defaultEmailServerProfileId: newId() },
    });
    expectStatus(unknownProfile, 400);
    expectStatus(await t.request('PATCH', '/api/organization', { body: { maxAttachmentSizeKb: 5120 } }), 200);
  });
});

describe('team members and role assignment', () => {
  it('adds and removes members and roles', async () => {
    const team = await create('/api/teams', { name: 'Assignment team' });
    const user = await create('/api/users', { name: 'Member', username: 'assignment-member' });
    const role = await create('/api/roles', {
      name: 'Assignment role',
      privileges: { 'contact:read': 'user' },
    });
    const teamUrl = `/api/teams/${String(team.id)}`;
    const userUrl = `/api/users/${String(user.id)}`;

    expectStatus(await t.request('POST', `${teamUrl}/members`, { body: { userId: user.id } }), 204);
    // Adding twice is harmless.
    expectStatus(await t.request('POST', `${teamUrl}/members`, { body: { userId: user.id } }), 204);
    expect((await t.request<Body>('GET', teamUrl)).body.memberIds).toEqual([user.id]);
    expect((await t.request<Body>('GET', userUrl)).body.teamIds).toEqual([team.id]);

    expectStatus(await t.request('POST', `${teamUrl}/roles`, { body: { roleId: role.id } }), 204);
    expect((await t.request<Body>('GET', teamUrl)).body.roleIds).toEqual([role.id]);
    expectStatus(await t.request('POST', `${userUrl}/roles`, { body: { roleId: role.id } }), 204);
    expect((await t.request<Body>('GET', userUrl)).body.roleIds).toEqual([role.id]);

    expectStatus(await t.request('DELETE', `${teamUrl}/roles/${String(role.id)}`), 204);
    expect((await t.request<Body>('GET', teamUrl)).body.roleIds).toEqual([]);
    expectStatus(await t.request('DELETE', `${userUrl}/roles/${String(role.id)}`), 204);
    expect((await t.request<Body>('GET', userUrl)).body.roleIds).toEqual([]);
    expectStatus(await t.request('DELETE', `${teamUrl}/members/${String(user.id)}`), 204);
    expect((await t.request<Body>('GET', teamUrl)).body.memberIds).toEqual([]);

    const unknownRole = await t.request<Body>('POST', `${userUrl}/roles`, { body: { roleId: newId() } });
    expectStatus(unknownRole, 404);
    const unknownUser = await t.request<Body>('POST', `${teamUrl}/members`, { body: { userId: newId() } });
    expectStatus(unknownUser, 404);
  });

  it('access teams cannot hold roles', async () => {
    const team = await create('/api/teams', { name: 'Access team', teamType: 'access' });
    const role = await t.request<Page>('GET', '/api/roles?name=Salesperson');
    const res = await t.request<Body>('POST', `/api/teams/${String(team.id)}/roles`, {
      body: { roleId: role.body.items[0]!.id },
    });
    expectStatus(res, 400);
    expect(res.body).toMatchObject({ code: 'MR_ERR_VALIDATION' });
  });

  it('an administrator cannot remove the System Administrator role from itself', async () => {
    const me = await t.request<Body>('GET', '/api/me');
    const [adminRole] = me.body.roleIds as string[];
    const res = await t.request<Body>('DELETE', `/api/users/${String(me.body.id)}/roles/${adminRole}`);
    expectStatus(res, 409);
    expect(res.body).toMatchObject({ code: 'MR_ERR_CONFLICT' });
    expect((await t.request<Body>('GET', '/api/me')).body.roleIds).toEqual([adminRole]);
  });
});

describe('/api/me', () => {
  it('describes the caller with its effective privileges', async () => {
    const res = await t.request<Body>('GET', '/api/me');
    expectStatus(res, 200);
    expect(res.body).toMatchObject({
      id: t.organization.adminUserId,
      name: 'Administrator',
      businessUnitId: t.organization.rootBusinessUnitId,
      teamIds: [],
      roleIds: [expect.any(String)],
    });
    const privileges = res.body.privileges as Record<string, string>;
    expect(privileges['mailbox:read']).toBe('organization');
    expect(privileges['special:sendAsUser']).toBe('organization');
    expect(Object.values(privileges).every((depth) => depth === 'organization')).toBe(true);
  });
});

describe('tokens', () => {
  it('lists without secrets, and a revoked token is refused with 401', async () => {
    const issued = await t.request<{ id: string; token: string; prefix: string }>('POST', '/api/tokens', {
      body: { name: 'short-lived' },
    });
    expectStatus(issued, 201);
    expect(issued.body.token.startsWith(issued.body.prefix)).toBe(true);
    const token = issued.body.token;
    expectStatus(await t.request('GET', '/api/me', { token }), 200);

    const list = await t.request<{ items: Body[] }>('GET', '/api/tokens');
    expectStatus(list, 200);
    const entry = list.body.items.find((item) => item.id === issued.body.id);
    expect(entry).toMatchObject({
      name: 'short-lived',
      prefix: issued.body.prefix,
      revokedAt: null,
      lastUsedAt: expect.any(String),
    });
    expect(JSON.stringify(list.body)).not.toContain(token);
    expect(JSON.stringify(list.body)).not.toMatch(/tokenHash|token_hash/);
    expect(list.body.items.map((item) => item.name)).toContain('bootstrap administrator token');

    expectStatus(await t.request('DELETE', `/api/tokens/${issued.body.id}`), 204);
    const refused = await t.request<Body>('GET', '/api/me', { token });
    expectStatus(refused, 401);
    expect(refused.body).toMatchObject({ code: 'MR_ERR_UNAUTHORIZED' });
    const after = await t.request<{ items: Body[] }>('GET', '/api/tokens');
    expect(after.body.items.find((item) => item.id === issued.body.id)).toMatchObject({
      revokedAt: expect.any(String),
    });
    // Revoking twice, or a token that does not exist: 404.
    expectStatus(await t.request('DELETE', `/api/tokens/${issued.body.id}`), 404);
    expectStatus(await t.request('DELETE', `/api/tokens/${newId()}`), 404);
  });

  it('an expired token is refused, and a token cannot be created already expired', async () => {
    const refused = await t.request('POST', '/api/tokens', {
      body: { name: 'expired', expiresAt: new Date(Date.now() - 1000).toISOString() },
    });
    expectStatus(refused, 400);
    const issued = await t.request<{ id: string; token: string }>('POST', '/api/tokens', {
      body: { name: 'expiring', expiresAt: new Date(Date.now() + 60_000).toISOString() },
    });
    expectStatus(issued, 201);
    expectStatus(await t.request('GET', '/api/me', { token: issued.body.token }), 200);
    // Let it run out without waiting a minute.
    await t.database.db
      .updateTable('apiTokens')
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where('id', '=', issued.body.id)
      .execute();
    expectStatus(await t.request('GET', '/api/me', { token: issued.body.token }), 401);
  });

  it('a user cannot see or revoke another user’s tokens', async () => {
    const user = await create('/api/users', { name: 'Token owner', username: 'token-owner' });
    const role = await t.request<Page>('GET', '/api/roles?name=Salesperson');
    expectStatus(
      await t.request('POST', `/api/users/${String(user.id)}/roles`, {
        body: { roleId: role.body.items[0]!.id },
      }),
      204,
    );
    const issued = await t.request<{ id: string; token: string }>('POST', '/api/tokens', {
      body: { name: 'theirs', userId: user.id },
    });
    expectStatus(issued, 201);
    const own = await t.request<{ items: Body[] }>('GET', '/api/tokens', { token: issued.body.token });
    expect(own.body.items.map((item) => item.id)).toEqual([issued.body.id]);
    const adminTokens = await t.request<{ items: Body[] }>('GET', '/api/tokens');
    expect(adminTokens.body.items.map((item) => item.id)).not.toContain(issued.body.id);
    // A Salesperson may not issue tokens for another user (write on users is not granted).
    const forOther = await t.request<Body>('POST', '/api/tokens', {
      token: issued.body.token,
      body: { name: 'x', userId: t.organization.adminUserId },
    });
    expectStatus(forOther, 403);
    expect(forOther.body.message).toEqual(expect.stringContaining('prvWriteUser'));
    const adminTokenId = String(adminTokens.body.items[0]!.id);
    expectStatus(await t.request('DELETE', `/api/tokens/${adminTokenId}`, { token: issued.body.token }), 404);
    expectStatus(await t.request('GET', '/api/me'), 200);
  });
});

/**
 * How the API answers what it cannot do: invalid input (400 with field
 * details), unknown records (404), conflicts (409), unknown routes and
 * methods; that a failed write leaves nothing behind; and that passwords are
 * sealed at rest and never shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/db/ids.js';
import { createTestApp, type ApiResponse, type TestApp } from '../../support/app.js';

type Body = Record<string, unknown>;
interface FieldProblem {
  field: string;
  message: string;
}

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});

afterAll(async () => {
  await t?.close();
});

function expectStatus(res: ApiResponse<unknown>, status: number): void {
  expect(res.status, JSON.stringify(res.body).slice(0, 2000)).toBe(status);
}

/** A 400 with the validation code, a message naming each field, and one detail per field. */
function expectValidation(
  res: ApiResponse<Body>,
  fields: string[],
  messageNames: string[] = fields,
): FieldProblem[] {
  expectStatus(res, 400);
  expect(res.body).toMatchObject({ statusCode: 400, code: 'MR_ERR_VALIDATION', error: 'Bad Request' });
  const details = res.body.details as FieldProblem[];
  expect(Array.isArray(details), JSON.stringify(res.body)).toBe(true);
  expect(details.map((detail) => detail.field).sort()).toEqual([...fields].sort());
  for (const detail of details) {
    expect(typeof detail.message).toBe('string');
    expect(detail.message.length).toBeGreaterThan(0);
  }
  for (const name of messageNames) expect(res.body.message).toEqual(expect.stringContaining(name));
  return details;
}

function inject(method: 'POST' | 'PATCH', url: string, payload: string, contentType = 'application/json') {
  return t.app.inject({
    method,
    url,
    payload,
    headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': contentType },
  });
}

describe('invalid input: 400 MR_ERR_VALIDATION with field details', () => {
  it('wrong types', async () => {
    const res = await t.request<Body>('POST', '/api/users', {
      body: { name: 5, username: 'typed', disabled: 'yes' },
    });
    const details = expectValidation(res, ['name', 'disabled']);
    expect(details.find((d) => d.field === 'name')?.message).toMatch(/string/i);
    expect(res.body.message).toMatch(/^Invalid user: /);
  });

  it('nested fields are named by their path', async () => {
    const res = await t.request<Body>('POST', '/api/emails', {
      body: {
        subject: 's',
        to: [{ address: 'a@example.test' }, { partyId: 'nope' }],
        attachments: [{ fileName: 'x' }],
      },
    });
    expectValidation(res, ['to.1.partyId', 'attachments.0.contentBase64']);
  });

  it('unknown keys are named one by one', async () => {
    const res = await t.request<Body>('POST', '/api/users', {
      body: { name: 'N', username: 'unknown-keys', colour: 'red', size: 3 },
    });
    const details = expectValidation(res, ['colour', 'size']);
    expect(details[0]!.message).toBe('unknown field');
    const nested = await t.request<Body>('POST', '/api/emails', {
      body: { to: [{ address: 'a@example.test', extra: 1 }] },
    });
    expectValidation(nested, ['to.0.extra']);
  });

  it('a bad email address', async () => {
    expectValidation(
      await t.request<Body>('POST', '/api/users', {
        body: { name: 'N', username: 'bad-email', emailAddress: 'not an address' },
      }),
      ['emailAddress'],
    );
    expectValidation(
      await t.request<Body>('POST', '/api/contacts', { body: { lastName: 'L', emailAddress1: 'a@' } }),
      ['emailAddress1'],
    );
  });

  it('a missing required field, and a missing body', async () => {
    expectValidation(await t.request<Body>('POST', '/api/users', { body: { name: 'no username' } }), [
      'username',
    ]);
    const empty = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ code: 'MR_ERR_VALIDATION', details: [{ field: '(body)' }] });
  });

  it('a referenced record that does not exist names the field', async () => {
    expectValidation(
      await t.request<Body>('POST', '/api/users', {
        body: { name: 'N', username: 'bu', businessUnitId: newId() },
      }),
      ['businessUnitId'],
    );
    expectValidation(
      await t.request<Body>('POST', '/api/mailboxes', { body: { name: 'M', emailServerProfileId: newId() } }),
      ['emailServerProfileId'],
    );
    const queue = await t.request<Body>('POST', '/api/queues', { body: { name: 'Q for items' } });
    // Here the database's foreign key finds it; the answer is the same kind.
    expectValidation(
      await t.request<Body>('POST', '/api/queue-items', {
        body: { queueId: queue.body.id, activityId: newId() },
      }),
      ['activityId'],
    );
  });

  it('a bad uuid in a path is a 404 (not a 500) on every route with an id', async () => {
    const bad = 'not-a-uuid';
    const urls: ['GET' | 'PATCH' | 'DELETE' | 'POST', string, Body?][] = [
      ['GET', `/api/users/${bad}`],
      ['PATCH', `/api/users/${bad}`, { name: 'x' }],
      ['GET', `/api/contacts/${bad}`],
      ['DELETE', `/api/contacts/${bad}`],
      ['GET', `/api/emails/${bad}`],
      ['GET', `/api/alerts/${bad}`],
      ['DELETE', `/api/business-units/${bad}`],
      ['GET', `/api/attachments/${bad}/content`],
      ['DELETE', `/api/tokens/${bad}`],
      ['POST', `/api/users/${bad}/roles`, { roleId: newId() }],
      ['DELETE', `/api/users/${t.organization.adminUserId}/roles/${bad}`],
      ['DELETE', `/api/teams/${bad}/roles/${newId()}`],
      ['POST', `/api/teams/${bad}/members`, { userId: newId() }],
    ];
    const team = await t.request<Body>('POST', '/api/teams', { body: { name: 'Bad member team' } });
    urls.push(['DELETE', `/api/teams/${String(team.body.id)}/members/${bad}`]);
    for (const [method, url, body] of urls) {
      const res = await t.request<Body>(method, url, body ? { body } : {});
      expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBe(404);
      expect(res.body, `${method} ${url}`).toMatchObject({ statusCode: 404, code: 'MR_ERR_NOT_FOUND' });
      expect(res.body.message).toEqual(expect.stringContaining('does not exist'));
    }
  });

  it('an unknown filter, a bad filter value, a bad cursor', async () => {
    const unknown = await t.request<Body>('GET', '/api/contacts?colour=red');
    expectValidation(unknown, ['colour']);
    expect(unknown.body.message).toEqual(expect.stringContaining('emailAddress1'));
    expectValidation(await t.request<Body>('GET', '/api/contacts?ownerId=someone'), ['ownerId']);
    expectValidation(await t.request<Body>('GET', '/api/mailboxes?state=sleeping'), ['state']);
    expectValidation(await t.request<Body>('GET', '/api/users?disabled=perhaps'), ['disabled']);
    expectValidation(await t.request<Body>('GET', '/api/contacts?cursor=42'), ['cursor']);
  });

  it('limit out of range', async () => {
    for (const limit of ['0', '201', '-1', '1.5', 'ten', '']) {
      const res = await t.request<Body>('GET', `/api/contacts?limit=${limit}`);
      expectValidation(res, ['limit']);
    }
    expectStatus(await t.request('GET', '/api/contacts?limit=200'), 200);
    expectStatus(await t.request('GET', '/api/contacts?limit=1'), 200);
  });

  it('a malformed JSON body', async () => {
    for (const payload of ['{"name": "x",', 'not json', '{"__proto__": {"admin": true}}']) {
      const res = await inject('POST', '/api/users', payload);
      expect(res.statusCode, payload).toBe(400);
      expect(res.json()).toMatchObject({
        statusCode: 400,
        code: 'MR_ERR_VALIDATION',
        details: [{ field: '(body)' }],
      });
    }
    const empty = await inject('POST', '/api/users', '');
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ code: 'MR_ERR_VALIDATION' });
  });

  it('a body that is an array or a scalar', async () => {
    expectValidation(await t.request<Body>('POST', '/api/users', { body: [{ name: 'x' }] }), ['(body)']);
    const scalar = await inject('POST', '/api/users', '42');
    expect(scalar.statusCode).toBe(400);
    expect(scalar.json()).toMatchObject({ code: 'MR_ERR_VALIDATION' });
  });

  it('a huge string is refused without being echoed back', async () => {
    const huge = 'x'.repeat(1_000_000);
    const res = await t.request<Body>('POST', '/api/contacts', { body: { lastName: huge } });
    expectValidation(res, ['lastName']);
    expect(res.raw.body.length).toBeLessThan(2000);
    const subject = await t.request<Body>('POST', '/api/emails', { body: { subject: huge } });
    expectValidation(subject, ['subject']);
  });

  it('a body over the size limit is 413, another content type 415', async () => {
    const tooLarge = await inject(
      'POST',
      '/api/emails',
      JSON.stringify({ bodyText: 'x'.repeat(51 * 1024 * 1024) }),
    );
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toMatchObject({ code: 'MR_ERR_TOO_LARGE' });
    const text = await inject('POST', '/api/users', 'name=x', 'application/x-www-form-urlencoded');
    expect(text.statusCode).toBe(415);
    expect(text.json()).toMatchObject({ code: 'MR_ERR_MEDIA_TYPE' });
  });

  it('a schedule that ends before it starts, half a regarding pair', async () => {
    expectValidation(
      await t.request<Body>('POST', '/api/appointments', {
        body: { subject: 'x', scheduledStart: '2030-01-02T00:00:00Z', scheduledEnd: '2030-01-01T00:00:00Z' },
      }),
      ['scheduledEnd'],
    );
    expectValidation(
      await t.request<Body>('POST', '/api/tasks', { body: { subject: 'x', regardingType: 'contact' } }),
      ['regardingId'],
    );
  });
});

describe('unknown records, conflicts and routes', () => {
  it('unknown ids are 404 MR_ERR_NOT_FOUND on get, change and delete', async () => {
    for (const kind of ['users', 'contacts', 'mailboxes', 'emails', 'roles', 'alerts']) {
      const id = newId();
      const get = await t.request<Body>('GET', `/api/${kind}/${id}`);
      expectStatus(get, 404);
      expect(get.body).toMatchObject({ code: 'MR_ERR_NOT_FOUND', message: expect.stringContaining(id) });
      if (kind !== 'alerts') expectStatus(await t.request('PATCH', `/api/${kind}/${id}`, { body: {} }), 404);
      if (kind !== 'users') expectStatus(await t.request('DELETE', `/api/${kind}/${id}`), 404);
    }
  });

  it('an email of one kind is not found as another kind', async () => {
    const task = await t.request<Body>('POST', '/api/tasks', { body: { subject: 'a task' } });
    expectStatus(task, 201);
    expectStatus(await t.request('GET', `/api/emails/${String(task.body.id)}`), 404);
    expectStatus(await t.request('DELETE', `/api/appointments/${String(task.body.id)}`), 404);
    expectStatus(await t.request('GET', `/api/tasks/${String(task.body.id)}`), 200);
  });

  it('a duplicate username is 409 MR_ERR_CONFLICT', async () => {
    expectStatus(await t.request('POST', '/api/users', { body: { name: 'First', username: 'taken' } }), 201);
    const res = await t.request<Body>('POST', '/api/users', { body: { name: 'Second', username: 'taken' } });
    expectStatus(res, 409);
    expect(res.body).toMatchObject({ statusCode: 409, code: 'MR_ERR_CONFLICT', error: 'Conflict' });
    expect(res.body.message).toEqual(expect.stringContaining('username'));
    const users = await t.database.db
      .selectFrom('users')
      .select('name')
      .where('username', '=', 'taken')
      .execute();
    expect(users).toEqual([{ name: 'First' }]);
    // No orphan mailbox for the refused user either.
    const mailboxes = await t.database.db
      .selectFrom('mailboxes')
      .select('id')
      .where('name', '=', 'Second')
      .execute();
    expect(mailboxes).toEqual([]);
  });

  it('deleting a record that is still in use is 409, not a validation error', async () => {
    const unit = await t.request<Body>('POST', '/api/business-units', { body: { name: 'Busy unit' } });
    expectStatus(
      await t.request('POST', '/api/users', {
        body: { name: 'Busy', username: 'busy', businessUnitId: unit.body.id },
      }),
      201,
    );
    const res = await t.request<Body>('DELETE', `/api/business-units/${String(unit.body.id)}`);
    expectStatus(res, 409);
    expect(res.body).toMatchObject({
      code: 'MR_ERR_CONFLICT',
      message: expect.stringContaining('still in use'),
    });
    expectStatus(await t.request('GET', `/api/business-units/${String(unit.body.id)}`), 200);
  });

  it('a team that still owns records cannot be deleted (they would be owned by no one)', async () => {
    const team = await t.request<Body>('POST', '/api/teams', { body: { name: 'Owning team' } });
    const teamId = String(team.body.id);
    const contact = await t.request<Body>('POST', '/api/contacts', {
      body: { lastName: 'Team-owned', ownerType: 'team', ownerId: teamId },
    });
    expectStatus(contact, 201);
    const refused = await t.request<Body>('DELETE', `/api/teams/${teamId}`);
    expectStatus(refused, 409);
    expect(refused.body).toMatchObject({
      code: 'MR_ERR_CONFLICT',
      message: expect.stringContaining('contacts'),
    });
    expectStatus(await t.request('GET', `/api/teams/${teamId}`), 200);

    // Once the contact has another owner, the team can go.
    expectStatus(
      await t.request('PATCH', `/api/contacts/${String(contact.body.id)}`, {
        body: { ownerType: 'user', ownerId: t.organization.adminUserId },
      }),
      200,
    );
    expectStatus(await t.request('DELETE', `/api/teams/${teamId}`), 204);

    const queueTeam = await t.request<Body>('POST', '/api/teams', { body: { name: 'Queue team' } });
    const queue = await t.request<Body>('POST', '/api/queues', {
      body: { name: 'Team queue', ownerType: 'team', ownerId: queueTeam.body.id },
    });
    expectStatus(queue, 201);
    const queueRefused = await t.request<Body>('DELETE', `/api/teams/${String(queueTeam.body.id)}`);
    expectStatus(queueRefused, 409);
    expect(queueRefused.body.message).toEqual(expect.stringContaining('queues'));
  });

  it('an unknown route is 404 MR_ERR_ROUTE_NOT_FOUND', async () => {
    for (const [method, url] of [
      ['GET', '/api/nothing-here'],
      ['GET', '/api/users/x/y/z'],
      ['POST', '/api/nothing-here'],
      ['GET', '/api'],
      ['GET', '/nothing.png'],
    ] as const) {
      const res = await t.request<Body>(method, url, method === 'POST' ? { body: {} } : {});
      expectStatus(res, 404);
      expect(res.body).toMatchObject({
        statusCode: 404,
        code: 'MR_ERR_ROUTE_NOT_FOUND',
        message: expect.stringContaining(url),
      });
    }
  });

  it('a known path with an unsupported method is 405 with Allow', async () => {
    const user = await t.request<Body>('POST', '/api/users', {
      body: { name: 'Undeletable', username: 'undeletable' },
    });
    const res = await t.request<Body>('DELETE', `/api/users/${String(user.body.id)}`);
    expectStatus(res, 405);
    expect(res.body).toMatchObject({ statusCode: 405, code: 'MR_ERR_METHOD', error: 'Method Not Allowed' });
    expect(res.body.message).toEqual(expect.stringContaining('/api/users/{id}'));
    expect(String(res.raw.headers.allow).split(', ').sort()).toEqual(['GET', 'HEAD', 'PATCH']);
    expectStatus(await t.request('PUT', `/api/users/${String(user.body.id)}`, { body: {} }), 405);
    expectStatus(await t.request('DELETE', '/api/organization'), 405);
    // Without a token too: the route table is public (the OpenAPI document shows it).
    expectStatus(await t.request('DELETE', `/api/users/${String(user.body.id)}`, { token: null }), 405);
  });

  it('unauthenticated calls are 401 before any validation', async () => {
    const res = await t.request<Body>('POST', '/api/users', { token: null, body: { name: 5 } });
    expectStatus(res, 401);
    const bogus = await t.request<Body>('GET', '/api/users', { token: 'mrt_not-a-real-token' });
    expectStatus(bogus, 401);
    const malformed = await t.app.inject({
      method: 'GET',
      url: '/api/users',
      headers: { authorization: 'Basic abc' },
    });
    expect(malformed.statusCode).toBe(401);
  });
});

describe('nothing half-written', () => {
  async function activityCount(): Promise<number> {
    const rows = await t.database.db.selectFrom('activities').select('id').execute();
    return rows.length;
  }

  it('an email whose attachment exceeds the organization limit leaves no activity, party or attachment', async () => {
    expectStatus(await t.request('PATCH', '/api/organization', { body: { maxAttachmentSizeKb: 1 } }), 200);
    try {
      const before = await activityCount();
      const partiesBefore = (await t.database.db.selectFrom('activityParties').select('id').execute()).length;
      const res = await t.request<Body>('POST', '/api/emails', {
        body: {
          subject: 'too big to keep',
          from: [{ address: 'sender@example.test' }],
          to: [{ address: 'to@example.test' }],
          attachments: [
            { fileName: 'small.txt', contentBase64: Buffer.from('ok').toString('base64') },
            { fileName: 'big.bin', contentBase64: Buffer.alloc(2048, 7).toString('base64') },
          ],
        },
      });
      const details = expectValidation(res, ['attachments.1.contentBase64'], ['attachments.1']);
      expect(details[0]!.message).toMatch(/limit/);
      expect(res.body.message).toEqual(expect.stringContaining('big.bin'));
      expect(await activityCount()).toBe(before);
      const subjects = await t.database.db
        .selectFrom('activities')
        .select('id')
        .where('subject', '=', 'too big to keep')
        .execute();
      expect(subjects).toEqual([]);
      expect((await t.database.db.selectFrom('activityParties').select('id').execute()).length).toBe(
        partiesBefore,
      );
      expect(
        await t.database.db
          .selectFrom('attachments')
          .select('id')
          .where('fileName', '=', 'small.txt')
          .execute(),
      ).toEqual([]);

      // A change that fails the same way leaves the email as it was.
      const email = await t.request<Body>('POST', '/api/emails', {
        body: { subject: 'kept', to: [{ address: 'first@example.test' }] },
      });
      expectStatus(email, 201);
      const patch = await t.request<Body>('PATCH', `/api/emails/${String(email.body.id)}`, {
        body: {
          subject: 'changed',
          to: [{ address: 'second@example.test' }],
          attachments: [{ fileName: 'big.bin', contentBase64: Buffer.alloc(2048, 7).toString('base64') }],
        },
      });
      expectStatus(patch, 400);
      const after = await t.request<Body>('GET', `/api/emails/${String(email.body.id)}`);
      expect(after.body).toMatchObject({
        subject: 'kept',
        to: [expect.objectContaining({ address: 'first@example.test' })],
        attachments: [],
      });
    } finally {
      expectStatus(
        await t.request('PATCH', '/api/organization', { body: { maxAttachmentSizeKb: 5120 } }),
        200,
      );
    }
  });

  it('a user refused for a duplicate username leaves no mailbox behind (covered above); a refused write leaves nothing', async () => {
    const before = await activityCount();
    const res = await t.request<Body>('POST', '/api/emails', {
      body: { subject: 'owned by nobody', ownerId: newId(), to: [{ address: 'x@example.test' }] },
    });
    expectValidation(res, ['ownerId']);
    expect(await activityCount()).toBe(before);
  });
});

describe('passwords', () => {
  const secretIn = 'incoming-Secret-123';
  const secretOut = 'outgoing-Secret-456';
  const mailboxSecret = 'mailbox-Secret-789';

  function expectNoSecrets(text: string, sealed: string[]): void {
    for (const secret of [secretIn, secretOut, mailboxSecret, ...sealed]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/PasswordEncrypted|password_encrypted|passwordEncrypted/);
  }

  it('are sealed at rest and never returned, on profiles and mailboxes', async () => {
    const created = await t.request<Body>('POST', '/api/email-server-profiles', {
      body: {
        name: 'With passwords',
        serverType: 'imap-smtp',
        incomingHost: 'imap.example.test',
        outgoingHost: 'smtp.example.test',
        credentialSource: 'profile',
        incomingUsername: 'in-user',
        incomingPassword: secretIn,
        outgoingUsername: 'out-user',
        outgoingPassword: secretOut,
      },
    });
    expectStatus(created, 201);
    expect(created.body).toMatchObject({
      incomingPasswordSet: true,
      outgoingPasswordSet: true,
      incomingUsername: 'in-user',
    });
    expect(created.body).not.toHaveProperty('incomingPassword');
    expect(created.body).not.toHaveProperty('outgoingPassword');
    const profileId = String(created.body.id);

    const stored = await t.database.db
      .selectFrom('emailServerProfiles')
      .select(['incomingPasswordEncrypted', 'outgoingPasswordEncrypted'])
      .where('id', '=', profileId)
      .executeTakeFirstOrThrow();
    const sealedIn = stored.incomingPasswordEncrypted ?? '';
    const sealedOut = stored.outgoingPasswordEncrypted ?? '';
    for (const [sealed, plain] of [
      [sealedIn, secretIn],
      [sealedOut, secretOut],
    ] as const) {
      expect(sealed).toMatch(/^v1\./);
      expect(sealed).not.toContain(plain);
      expect(sealed).not.toContain(Buffer.from(plain).toString('base64'));
      expect(t.secrets.open(sealed)).toBe(plain);
    }

    const mailbox = await t.request<Body>('POST', '/api/mailboxes', {
      body: {
        name: 'Shared',
        emailAddress: 'shared@example.test',
        emailServerProfileId: profileId,
        username: 'shared',
        password: mailboxSecret,
      },
    });
    expectStatus(mailbox, 201);
    expect(mailbox.body).toMatchObject({ passwordSet: true, username: 'shared' });
    expect(mailbox.body).not.toHaveProperty('password');
    const storedMailbox = await t.database.db
      .selectFrom('mailboxes')
      .select('passwordEncrypted')
      .where('id', '=', String(mailbox.body.id))
      .executeTakeFirstOrThrow();
    const sealedMailbox = storedMailbox.passwordEncrypted ?? '';
    expect(sealedMailbox).toMatch(/^v1\./);
    expect(sealedMailbox).not.toContain(mailboxSecret);
    expect(t.secrets.open(sealedMailbox)).toBe(mailboxSecret);

    const sealed = [sealedIn, sealedOut, sealedMailbox];
    const texts = [
      created.raw.body,
      mailbox.raw.body,
      (await t.request('GET', `/api/email-server-profiles/${profileId}`)).raw.body,
      (await t.request('GET', '/api/email-server-profiles')).raw.body,
      (await t.request('GET', `/api/mailboxes/${String(mailbox.body.id)}`)).raw.body,
      (await t.request('GET', '/api/mailboxes?limit=200')).raw.body,
      (
        await t.request('PATCH', `/api/email-server-profiles/${profileId}`, {
          body: { minPollingIntervalMinutes: 3 },
        })
      ).raw.body,
      (await t.request('PATCH', `/api/mailboxes/${String(mailbox.body.id)}`, { body: { name: 'Shared 2' } }))
        .raw.body,
    ];
    for (const text of texts) expectNoSecrets(text, sealed);

    // A patch that does not name the password keeps it; null clears it; a new value is sealed anew.
    const kept = await t.database.db
      .selectFrom('emailServerProfiles')
      .select('incomingPasswordEncrypted')
      .where('id', '=', profileId)
      .executeTakeFirstOrThrow();
    expect(kept.incomingPasswordEncrypted).toBe(sealedIn);
    const cleared = await t.request<Body>('PATCH', `/api/email-server-profiles/${profileId}`, {
      body: { incomingPassword: null },
    });
    expect(cleared.body).toMatchObject({ incomingPasswordSet: false, outgoingPasswordSet: true });
    const replaced = await t.request<Body>('PATCH', `/api/mailboxes/${String(mailbox.body.id)}`, {
      body: { password: 'another-one' },
    });
    expect(replaced.body).toMatchObject({ passwordSet: true });
    expect(replaced.raw.body).not.toContain('another-one');
    const resealed = await t.database.db
      .selectFrom('mailboxes')
      .select('passwordEncrypted')
      .where('id', '=', String(mailbox.body.id))
      .executeTakeFirstOrThrow();
    expect(resealed.passwordEncrypted).not.toBe(sealedMailbox);
    expect(t.secrets.open(resealed.passwordEncrypted ?? '')).toBe('another-one');

    // The OpenAPI document marks them write-only and shows no password in any response schema.
    const doc = await t.request<Body>('GET', '/api/openapi.json', { token: null });
    const responses = JSON.stringify(
      Object.values(doc.body.paths as Record<string, Record<string, { responses: unknown }>>).flatMap((ops) =>
        Object.values(ops).map((op) => op.responses),
      ),
    );
    expect(responses).not.toMatch(/"(incomingPassword|outgoingPassword|password)"/);
  });

  it('an invalid password value is refused with its field', async () => {
    expectValidation(await t.request<Body>('POST', '/api/mailboxes', { body: { name: 'M', password: '' } }), [
      'password',
    ]);
  });
});

/**
 * bench/act: two-way ACT sync of a large calendar against the real Radicale.
 *
 *   node --import tsx bench/act/run.ts            # full: 5,000 events, 10 changes
 *   node --import tsx bench/act/run.ts --quick    # 1,000 events
 *   BENCH_EVENTS=2000 BENCH_CHANGES=10 BENCH_LOAD=put node --import tsx bench/act/run.ts
 *
 * Measures, in one run: loading the calendar into Radicale (files written
 * into its collection folder, or one PUT per event with BENCH_LOAD=put);
 * the ceiling (the bare WebDAV requests that fetch every event, without any
 * processing); Mailroom's initial ACT sync (until every appointment is
 * committed in PostgreSQL); an incremental cycle after BENCH_CHANGES changes
 * made on the server (edits, adds, deletes); and a cycle with no change.
 *
 * Needs what the integration tests need: the test servers installed
 * (scripts/install-test-servers.sh, as root) and PostgreSQL on 127.0.0.1:5432
 * (or MAILROOM_TEST_DATABASE_URL). See bench/act/README.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createDavHttp } from '../../src/connectors/dav/http.js';
import { DavSession } from '../../src/connectors/dav/session.js';
import { ActDavClient } from '../../src/sync/act/dav-client.js';
import { ActSync } from '../../src/sync/act/runner.js';
import { createMailUser, testCa } from '../../test/support/mail-users.js';
import { startBenchEnvironment } from '../shared/environment.js';
import { benchCalendar, benchEvent, type BenchEvent } from './corpus.js';

const quick = process.argv.includes('--quick');
const EVENTS = Number(process.env.BENCH_EVENTS ?? (quick ? 1000 : 5000));
const CHANGES = Number(process.env.BENCH_CHANGES ?? 10);
const LOAD = process.env.BENCH_LOAD === 'put' ? 'put' : 'disk';
const PUT_CONCURRENCY = Number(process.env.BENCH_PUT_CONCURRENCY ?? 16);
const SEED = 7;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const rate = (count: number, ms: number) => `${(count / (ms / 1000)).toFixed(0)} events/s`;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

async function main(): Promise<void> {
  console.log(`bench/act: ${EVENTS} events, ${CHANGES} changes, loaded by ${LOAD}`);
  const env = await startBenchEnvironment('act', 4);
  const { servers, database, secrets, api } = env;
  const extraCa = testCa(servers).toString('utf8');
  const runner = new ActSync({ db: database.db, secrets, trust: { extraCa }, workerId: 'bench-act' });
  try {
    await api('PATCH', '/api/organization', { requireApprovalForUserEmail: false });
    const profile = await api<{ id: string }>('POST', '/api/email-server-profiles', {
      name: 'Bench Radicale',
      serverType: 'caldav-carddav',
      actUrl: servers.dav.httpsUrl,
      credentialSource: 'mailbox',
    });
    const roles = await api<{ items: { id: string; name: string }[] }>('GET', '/api/roles');
    const account = await createMailUser('bench-act');
    const user = await api<{ id: string; mailboxId: string }>('POST', '/api/users', {
      name: 'Bench Owner',
      username: account.email,
      emailAddress: account.email,
    });
    await api('POST', `/api/users/${user.id}/roles`, {
      roleId: roles.items.find((role) => role.name === 'Salesperson')?.id,
    });
    await api('PATCH', `/api/mailboxes/${user.mailboxId}`, {
      emailServerProfileId: profile.id,
      allowCredentialsUse: true,
      username: account.username,
      password: account.password,
      incomingMethod: 'none',
      outgoingMethod: 'none',
      actMethod: 'serverSideSync',
    });
    await database.db
      .updateTable('mailboxes')
      .set({ actStatus: 'success', actEnabled: true, testCompletedAt: new Date() })
      .where('id', '=', user.mailboxId)
      .execute();
    const cycle = async () => {
      const outcome = await runner.runMailbox(user.mailboxId);
      if (!outcome || outcome.outcome !== 'success') throw new Error(`cycle: ${JSON.stringify(outcome)}`);
      return outcome;
    };

    // An empty first cycle: discovery, and the calendar Mailroom creates for the account.
    await cycle();
    const calendarUrl = (
      await database.db
        .selectFrom('actCollections')
        .select(['url', 'primaryFor'])
        .where('mailboxId', '=', user.mailboxId)
        .execute()
    ).find((row) => row.primaryFor.includes('appointment'))!.url;
    const calendarPath = new URL(calendarUrl).pathname;
    const plainCalendar = new URL(calendarPath, servers.dav.httpUrl).toString();
    const auth = `Basic ${Buffer.from(`${account.username}:${account.password}`).toString('base64')}`;
    const put = async (event: BenchEvent) => {
      const response = await fetch(`${plainCalendar}${event.fileName}`, {
        method: 'PUT',
        headers: { authorization: auth, 'content-type': 'text/calendar; charset=utf-8' },
        body: event.body,
      });
      await response.arrayBuffer();
      if (response.status >= 300) throw new Error(`PUT ${event.fileName}: ${response.status}`);
    };

    const events = benchCalendar(EVENTS, account.email, SEED);
    const recurring = events.filter((event) => event.recurring).length;
    console.log(
      `calendar: ${EVENTS} events, ${recurring} recurring (${events.filter((e) => e.withExceptions).length} with a moved and a cancelled occurrence), ${events.filter((e) => e.allDay).length} all-day, ${(events.reduce((sum, e) => sum + e.body.length, 0) / 1e6).toFixed(1)} MB`,
    );
    const load = await timed(async () => {
      if (LOAD === 'put') {
        await inParallel(events, PUT_CONCURRENCY, put);
        return;
      }
      const folder = path.join(
        servers.files.radicaleCollections,
        'collection-root',
        ...decodeURIComponent(calendarPath).split('/').filter(Boolean),
      );
      await mkdir(folder, { recursive: true });
      await inParallel(events, 32, (event) => writeFile(path.join(folder, event.fileName), event.body));
    });
    console.log(
      `load into Radicale (${LOAD}${LOAD === 'put' ? `, ${PUT_CONCURRENCY} at once` : ''}): ${seconds(load.ms)} (${rate(EVENTS, load.ms)})`,
    );

    // Ceiling: the requests that fetch every event (sync-collection listing, then calendar-multiget in
    // chunks of 200, as the cycle does), over the same HTTP client, with no mapping and no database.
    const http = createDavHttp({
      origin: servers.dav.httpsUrl,
      // The first read makes Radicale parse every new file; on a busy machine that takes minutes.
      timeoutMs: 900_000,
      verifyCertificates: true,
      extraCa,
      credentials: { username: account.username, password: account.password },
    });
    const client = new ActDavClient(new DavSession(http), http);
    const fetchAll = async () => {
      const listing = await client.changes('caldav', calendarUrl, null);
      const fetched = await client.fetch(
        'caldav',
        calendarUrl,
        listing.changed.map((item) => item.href),
      );
      if (fetched.length !== EVENTS) throw new Error(`fetched ${fetched.length} of ${EVENTS}`);
      return fetched.reduce((sum, item) => sum + item.body.length, 0);
    };
    // Radicale parses and caches each new file on its first read: done once, untimed for the comparison.
    const warm = await timed(fetchAll);
    console.log(`Radicale's first read of the new files (cache fill, untimed below): ${seconds(warm.ms)}`);
    const ceiling = await timed(fetchAll);
    const oneReport = await timed(async () => {
      const response = await http.fetch(calendarUrl, {
        method: 'REPORT',
        headers: { depth: '1', 'content-type': 'application/xml; charset=utf-8' },
        body: '<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"/></c:filter></c:calendar-query>',
      });
      return (await response.arrayBuffer()).byteLength;
    });
    http.close();

    const initial = await timed(cycle);
    const counts = await database.db
      .selectFrom('activities')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('activityType', '=', 'appointment')
      .where('ownerId', '=', user.id)
      .executeTakeFirstOrThrow();
    if (Number(counts.n) !== EVENTS)
      throw new Error(`${counts.n} appointments committed, expected ${EVENTS}`);

    // Incremental: changes made on the server by another client.
    const edits = Math.ceil(CHANGES * 0.4);
    const adds = Math.ceil(CHANGES * 0.3);
    const deletes = Math.max(0, CHANGES - edits - adds);
    await Promise.all([
      ...Array.from({ length: edits }, (_, i) => put(benchEvent(i * 7, account.email, SEED, 1))),
      ...Array.from({ length: adds }, (_, i) => put(benchEvent(EVENTS + i, account.email, SEED))),
      ...Array.from({ length: deletes }, async (_, i) => {
        const response = await fetch(`${plainCalendar}${events[EVENTS - 1 - i]!.fileName}`, {
          method: 'DELETE',
          headers: { authorization: auth },
        });
        await response.arrayBuffer();
      }),
    ]);
    const incremental = await timed(cycle);
    const { stats } = incremental.value;
    if (stats.updated !== edits || stats.created !== adds || stats.deleted !== deletes)
      throw new Error(`incremental cycle did ${JSON.stringify(stats)}, expected ${edits}/${adds}/${deletes}`);
    const quiet = await timed(cycle);

    console.log('');
    console.log(
      `ceiling, sync-collection + calendar-multiget of all ${EVENTS}: ${seconds(ceiling.ms)} (${rate(EVENTS, ceiling.ms)}, ${(ceiling.value / 1e6).toFixed(1)} MB)`,
    );
    console.log(
      `ceiling, one calendar-query REPORT, bytes only:      ${seconds(oneReport.ms)} (${rate(EVENTS, oneReport.ms)})`,
    );
    console.log(
      `Mailroom initial sync, all ${EVENTS} committed:         ${seconds(initial.ms)} (${rate(EVENTS, initial.ms)}; ${((ceiling.ms / initial.ms) * 100).toFixed(0)}% of the multiget ceiling's rate)`,
    );
    console.log(
      `Mailroom incremental cycle, ${CHANGES} changes (${edits} edits, ${adds} adds, ${deletes} deletes): ${seconds(incremental.ms)}`,
    );
    console.log(`Mailroom cycle with no change:                      ${seconds(quiet.ms)}`);
    console.log(`initial cycle stats: ${JSON.stringify(initial.value.stats)}`);
  } finally {
    runner.stop();
    await runner.idle();
    await env.close();
  }
}

await main();

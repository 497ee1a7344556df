/**
 * The incoming hot path (issue #4 item 9):
 *
 * - `attachments.content_transfer_encoding`: incoming attachments are stored
 *   as their part body came (base64), so the sync never decodes them; the
 *   column says so and readers decode (records/attachment-content.ts). NULL
 *   means `content` holds the decoded bytes, as every row before this did.
 * - The large text and byte columns compress with lz4 instead of pglz, which
 *   is several times cheaper to write. Only where the server was built with
 *   lz4 (Debian's PostgreSQL is; the embedded PGlite is not): elsewhere the
 *   columns keep the default, which changes nothing but speed.
 */
import { sql, type Kysely } from 'kysely';

const LZ4_COLUMNS: readonly (readonly [table: string, column: string])[] = [
  ['activities', 'body_text'],
  ['activities', 'body_html'],
  ['activities', 'description'],
  ['attachments', 'content'],
];

/** Whether this server can compress with lz4: the setting lists it only when built with it. */
async function supportsLz4(db: Kysely<unknown>): Promise<boolean> {
  const result = await sql<{ supported: boolean | null }>`
    SELECT 'lz4' = ANY (enumvals) AS supported FROM pg_settings WHERE name = 'default_toast_compression'`.execute(
    db,
  );
  return result.rows[0]?.supported === true;
}

async function columnExists(db: Kysely<unknown>, table: string, column: string): Promise<boolean> {
  const result = await sql<{ found: number }>`
    SELECT 1 AS found FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name = ${table} AND column_name = ${column}`.execute(db);
  return result.rows.length > 0;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE attachments ADD COLUMN content_transfer_encoding text
    CHECK (content_transfer_encoding IN ('base64'))`.execute(db);
  if (!(await supportsLz4(db))) return;
  for (const [table, column] of LZ4_COLUMNS) {
    if (!(await columnExists(db, table, column))) continue;
    await sql`ALTER TABLE ${sql.table(table)} ALTER COLUMN ${sql.ref(column)} SET COMPRESSION lz4`.execute(
      db,
    );
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE attachments DROP COLUMN IF EXISTS content_transfer_encoding`.execute(db);
}

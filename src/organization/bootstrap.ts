/**
 * First start: the organization, its root business unit, the predefined
 * security roles and an administrator with a token that is shown once.
 * Later starts only add predefined roles that a newer version introduced;
 * they never overwrite what an administrator changed.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connection.js';
import { newId } from '../db/ids.js';
import { createDefaultMailbox } from '../mailboxes/default-mailbox.js';
import { PREDEFINED_ROLES } from '../security/predefined-roles.js';
import { changePrivileges } from '../security/resources.js';
import { issueToken } from '../security/tokens.js';

export interface BootstrapResult {
  readonly created: boolean;
  readonly organizationId: string;
  readonly rootBusinessUnitId: string;
  readonly adminUserId: string;
  /** the administrator's token; present only on the first start */
  readonly adminToken?: string;
}

export interface BootstrapOptions {
  readonly organizationName?: string;
  readonly adminUsername?: string;
  readonly adminEmailAddress?: string | null;
}

export async function bootstrap(db: Db, options: BootstrapOptions = {}): Promise<BootstrapResult> {
  return db.transaction().execute(async (trx) => {
    // Two processes starting at once must not both create an organization.
    await sql`SELECT pg_advisory_xact_lock(7243001)`.execute(trx);
    const existing = await trx.selectFrom('organization').select('id').executeTakeFirst();
    const rootBusinessUnitId = existing
      ? (
          await trx
            .selectFrom('businessUnits')
            .select('id')
            .where('parentId', 'is', null)
            .executeTakeFirstOrThrow()
        ).id
      : newId();
    if (!existing) {
      const name = options.organizationName ?? 'Mailroom';
      await trx
        .insertInto('businessUnits')
        .values({ id: rootBusinessUnitId, name, parentId: null })
        .execute();
      await trx
        .insertInto('organization')
        .values({ id: newId(), name, defaultEmailServerProfileId: null })
        .execute();
    }
    await seedPredefinedRoles(trx, rootBusinessUnitId);
    const organization = await trx.selectFrom('organization').select('id').executeTakeFirstOrThrow();
    if (existing) {
      const admin = await trx
        .selectFrom('userRoles')
        .innerJoin('roles', 'roles.id', 'userRoles.roleId')
        .select('userRoles.userId')
        .where('roles.predefinedKey', '=', 'systemAdministrator')
        .orderBy('userRoles.userId')
        .executeTakeFirst();
      return {
        created: false,
        organizationId: organization.id,
        rootBusinessUnitId,
        adminUserId: admin?.userId ?? '',
      };
    }
    const adminUserId = newId();
    const username = options.adminUsername ?? 'admin';
    await trx
      .insertInto('users')
      .values({
        id: adminUserId,
        name: 'Administrator',
        username,
        emailAddress: options.adminEmailAddress ?? null,
        businessUnitId: rootBusinessUnitId,
      })
      .execute();
    await createDefaultMailbox(trx, {
      regardingType: 'user',
      regardingId: adminUserId,
      name: 'Administrator',
      emailAddress: options.adminEmailAddress ?? null,
      ownerId: adminUserId,
      ownerType: 'user',
      businessUnitId: rootBusinessUnitId,
    });
    const adminRole = await trx
      .selectFrom('roles')
      .select('id')
      .where('predefinedKey', '=', 'systemAdministrator')
      .executeTakeFirstOrThrow();
    await trx.insertInto('userRoles').values({ userId: adminUserId, roleId: adminRole.id }).execute();
    const token = await issueToken(trx, { userId: adminUserId, name: 'bootstrap administrator token' });
    return {
      created: true,
      organizationId: organization.id,
      rootBusinessUnitId,
      adminUserId,
      adminToken: token.token,
    };
  });
}

async function seedPredefinedRoles(db: Db, rootBusinessUnitId: string): Promise<void> {
  const present = new Set(
    (
      await db.selectFrom('roles').select('predefinedKey').where('predefinedKey', 'is not', null).execute()
    ).map((row) => row.predefinedKey),
  );
  for (const role of PREDEFINED_ROLES) {
    if (present.has(role.key)) continue;
    const id = newId();
    await db
      .insertInto('roles')
      .values({
        id,
        name: role.name,
        description: role.description,
        businessUnitId: rootBusinessUnitId,
        memberInheritance: role.memberInheritance,
        predefinedKey: role.key,
      })
      .execute();
    await changePrivileges({ db }, id, role.grants);
  }
}

/**
 * Owner handling shared by every user- or team-owned resource: who owns a new
 * record when the input does not say, and which business unit that makes it
 * belong to.
 */
import { z } from 'zod';
import type { Entity } from '../security/catalogue.js';
import type { RecordOwnership } from '../security/model.js';
import type { ActorContext } from './definition.js';
import { validationError } from './errors.js';

export const ownerFields = {
  ownerId: z.uuid().optional(),
  ownerType: z.enum(['user', 'team']).optional(),
};

export interface OwnerColumns {
  ownerId: string;
  ownerType: 'user' | 'team';
  businessUnitId: string;
}

/** The owner named in the input, or the acting user; with the owner's business unit. */
export async function resolveOwner(
  ctx: ActorContext,
  input: { ownerId?: string | undefined; ownerType?: 'user' | 'team' | undefined },
): Promise<OwnerColumns> {
  const ownerType = input.ownerType ?? 'user';
  const ownerId = input.ownerId ?? ctx.actor.id;
  const owner =
    ownerType === 'user'
      ? await ctx.db.selectFrom('users').select('businessUnitId').where('id', '=', ownerId).executeTakeFirst()
      : await ctx.db
          .selectFrom('teams')
          .select(['businessUnitId', 'teamType'])
          .where('id', '=', ownerId)
          .executeTakeFirst();
  if (!owner)
    throw validationError(`ownerId: no ${ownerType} ${ownerId}`, [
      { field: 'ownerId', message: `no ${ownerType} with this id` },
    ]);
  if ('teamType' in owner && owner.teamType !== 'owner') {
    throw validationError('ownerId: an access team cannot own records', [
      { field: 'ownerId', message: 'only owner teams can own records' },
    ]);
  }
  return { ownerId, ownerType, businessUnitId: owner.businessUnitId };
}

/** For an update: the new owner columns when the patch names an owner, else nothing. */
export async function resolveOwnerChange(
  ctx: ActorContext,
  patch: { ownerId?: string | undefined; ownerType?: 'user' | 'team' | undefined },
  existing: { ownerId: string; ownerType: 'user' | 'team' },
): Promise<Partial<OwnerColumns>> {
  if (patch.ownerId === undefined && patch.ownerType === undefined) return {};
  return resolveOwner(ctx, {
    ownerId: patch.ownerId ?? existing.ownerId,
    ownerType: patch.ownerType ?? existing.ownerType,
  });
}

export function principalOwnership(entity: Entity) {
  return (row: { ownerId: string; businessUnitId: string }): RecordOwnership => ({
    entity,
    ownerId: row.ownerId,
    businessUnitId: row.businessUnitId,
  });
}

/** Removes undefined values so that a patch only touches the fields it names. */
export function definedOnly<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const ownerView = z.object({
  ownerId: z.uuid(),
  ownerType: z.enum(['user', 'team']),
  businessUnitId: z.uuid(),
});

export const timestampsView = z.object({
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

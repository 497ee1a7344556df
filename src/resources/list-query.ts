/**
 * The query parameters list routes share: a comma-separated status filter
 * and a page size. A bad value is the caller's mistake, so it becomes a
 * validation error naming the field, never a silently widened query.
 */
import { validationError } from './errors.js';

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 500;

/** `status=a,b` → the statuses asked for; absent or empty → `whenAbsent`. */
export function parseStatusFilter<S extends string>(
  value: string | undefined,
  allowed: readonly S[],
  whenAbsent: readonly NoInfer<S>[],
): S[] {
  if (value === undefined || value === '') return [...whenAbsent];
  const wanted = value.split(',').map((part) => part.trim());
  const bad = wanted.filter((part) => !(allowed as readonly string[]).includes(part));
  if (bad.length > 0) {
    throw validationError(`status must be one or more of ${allowed.join(', ')}`, [
      { field: 'status', message: `unknown: ${bad.join(', ')}` },
    ]);
  }
  return wanted as S[];
}

/** `limit=n` → a whole number of rows within bounds; absent or empty → the default. */
export function parseListLimit(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_LIST_LIMIT;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw validationError(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}`, [
      { field: 'limit', message: 'out of range' },
    ]);
  }
  return limit;
}

import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../src/resources/errors.js';
import { parseListLimit, parseStatusFilter } from '../../../src/resources/list-query.js';

const ALLOWED = ['failed', 'parked', 'processed'] as const;

function validationFailure(work: () => unknown): DomainError {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a validation error');
}

describe('parseStatusFilter', () => {
  it('gives the default statuses when none are asked for', () => {
    expect(parseStatusFilter(undefined, ALLOWED, ['failed'])).toEqual(['failed']);
    expect(parseStatusFilter('', ALLOWED, ['failed', 'parked'])).toEqual(['failed', 'parked']);
  });

  it('reads a comma-separated list, spaces around the commas allowed', () => {
    expect(parseStatusFilter('processed, parked', ALLOWED, ['failed'])).toEqual(['processed', 'parked']);
  });

  it('refuses an unknown status, naming it and the field', () => {
    const error = validationFailure(() => parseStatusFilter('failed,lost', ALLOWED, ['failed']));
    expect(error.code).toBe('MR_ERR_VALIDATION');
    expect(error.message).toBe('status must be one or more of failed, parked, processed');
    expect(error.details).toEqual([{ field: 'status', message: 'unknown: lost' }]);
  });
});

describe('parseListLimit', () => {
  it('defaults to 100 and accepts 1 to 500', () => {
    expect(parseListLimit(undefined)).toBe(100);
    expect(parseListLimit('')).toBe(100);
    expect(parseListLimit('1')).toBe(1);
    expect(parseListLimit('500')).toBe(500);
  });

  it.each(['0', '501', '2.5', 'ten', '-3'])('refuses %s', (value) => {
    const error = validationFailure(() => parseListLimit(value));
    expect(error.code).toBe('MR_ERR_VALIDATION');
    expect(error.details).toEqual([{ field: 'limit', message: 'out of range' }]);
  });
});

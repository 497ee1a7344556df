/**
 * Errors the service layer raises on purpose. Each has a stable code (the
 * API's error body carries it) and an HTTP status; anything else is a bug and
 * becomes MR_ERR_INTERNAL without leaking its message.
 */

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    readonly details?: readonly FieldProblem[] | Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const validationError = (message: string, details?: readonly FieldProblem[]) =>
  new DomainError('MR_ERR_VALIDATION', 400, message, details);

export const notFound = (label: string, id: string) =>
  new DomainError('MR_ERR_NOT_FOUND', 404, `${label} ${id} does not exist`);

export const conflict = (message: string) => new DomainError('MR_ERR_CONFLICT', 409, message);

export const unauthorized = (message: string) => new DomainError('MR_ERR_UNAUTHORIZED', 401, message);

export const forbidden = (message: string, details?: Record<string, unknown>) =>
  new DomainError('MR_ERR_FORBIDDEN', 403, message, details);

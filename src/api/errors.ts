/**
 * One error body for every failure, in the shape Fastify itself uses, plus a
 * stable `code` and field `details`:
 *   { "statusCode": 400, "code": "MR_ERR_VALIDATION", "error": "Bad Request",
 *     "message": "Invalid user: username: …", "details": [{ "field": "username", "message": "…" }] }
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../resources/errors.js';

export interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
  details?: unknown;
}

export function errorBody(statusCode: number, code: string, message: string, details?: unknown): ErrorBody {
  return {
    statusCode,
    code,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
    ...(details === undefined ? {} : { details }),
  };
}

/** Bodies that are not JSON at all are invalid input like any other, with the same code and details. */
const BODY_NOT_JSON = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);

/** Fastify's own client errors (malformed JSON, wrong content type, body too large) keep their meaning. */
function fastifyClientError(error: FastifyError): ErrorBody | undefined {
  const status = error.statusCode;
  if (!status || status < 400 || status >= 500) return undefined;
  if (BODY_NOT_JSON.has(error.code)) {
    return errorBody(400, 'MR_ERR_VALIDATION', `Invalid request body: ${error.message}`, [
      { field: '(body)', message: error.message },
    ]);
  }
  const code =
    error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
      ? 'MR_ERR_MEDIA_TYPE'
      : status === 413
        ? 'MR_ERR_TOO_LARGE'
        : 'MR_ERR_BAD_REQUEST';
  return errorBody(status, code, error.message);
}

export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (error instanceof DomainError) {
    void reply
      .status(error.statusCode)
      .send(errorBody(error.statusCode, error.code, error.message, error.details));
    return;
  }
  const clientError = fastifyClientError(error as FastifyError);
  if (clientError) {
    void reply.status(clientError.statusCode).send(clientError);
    return;
  }
  request.log.error({ err: error }, 'request failed');
  void reply
    .status(500)
    .send(
      errorBody(500, 'MR_ERR_INTERNAL', 'An internal error occurred; see the server log for the request id'),
    );
}

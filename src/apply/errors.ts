/**
 * What `mailroom apply` reports when a file cannot be applied: every problem
 * found, one line each, prefixed with where in the file it is
 * (`users[2].emial: unrecognized key`). An error raised by the service layer
 * (a 403, a validation error) is kept as the cause.
 */
export class ApplyError extends Error {
  override readonly name = 'ApplyError';
  constructor(
    readonly problems: readonly string[],
    options?: { readonly cause?: unknown },
  ) {
    super(problems.join('\n'), options);
  }
}

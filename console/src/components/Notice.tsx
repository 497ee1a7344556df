import type { Outcome } from '../api/hooks';

/**
 * A message after an action. Errors use role="alert" so screen readers
 * announce them at once; successes are polite status messages.
 */
export function Notice({ outcome, onDismiss }: { outcome: Outcome | undefined; onDismiss?: () => void }) {
  if (!outcome) return null;
  return (
    <div className={`notice notice-${outcome.kind}`} role={outcome.kind === 'error' ? 'alert' : 'status'}>
      <span>{outcome.text}</span>
      {onDismiss && (
        <button type="button" className="link-button" onClick={onDismiss} aria-label="Dismiss message">
          ✕
        </button>
      )}
    </div>
  );
}

/** A load error in place of the content it prevented. */
export function LoadError({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  return (
    <div className="notice notice-error" role="alert">
      <span>{error.message}</span>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}

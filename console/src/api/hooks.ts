/**
 * Loading data for a page: `useLoad` runs a loader when its key changes and
 * gives the result, the error and a reload; `useAction` runs a change and
 * tracks whether it is busy and what it said, so buttons can be disabled while
 * a request runs and messages can be announced.
 */
import { useCallback, useEffect, useEffectEvent, useState } from 'react';

export interface Loaded<T> {
  /** the latest data; while a reload runs, the previous data stays (pages do not flash empty) */
  readonly data: T | undefined;
  readonly error: Error | undefined;
  readonly loading: boolean;
  reload(): void;
}

interface Result<T> {
  /** which load (key and reload count) produced it */
  readonly tag: string;
  readonly data: T | undefined;
  readonly error: Error | undefined;
}

export function useLoad<T>(key: string, load: () => Promise<T>): Loaded<T> {
  const [generation, setGeneration] = useState(0);
  const [result, setResult] = useState<Result<T>>({ tag: '', data: undefined, error: undefined });
  const tag = `${key}#${generation}`;
  // The latest loader without making it a dependency: callers pass inline functions.
  const runLoad = useEffectEvent(load);

  useEffect(() => {
    let current = true;
    runLoad().then(
      (data) => {
        if (current) setResult({ tag, data, error: undefined });
      },
      (reason: unknown) => {
        const error = reason instanceof Error ? reason : new Error(String(reason));
        if (current) setResult((previous) => ({ tag, data: previous.data, error }));
      },
    );
    // A later key or reload wins; an earlier answer arriving late is ignored.
    return () => {
      current = false;
    };
  }, [tag]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return {
    data: result.data,
    error: result.tag === tag ? result.error : undefined,
    loading: result.tag !== tag,
    reload,
  };
}

export interface Outcome {
  readonly kind: 'success' | 'error';
  readonly text: string;
}

export interface Action {
  readonly busy: boolean;
  readonly outcome: Outcome | undefined;
  /** runs `work`; its resolved text (if any) becomes the success message, a thrown error the error message */
  run(work: () => Promise<string | void>): Promise<boolean>;
  clear(): void;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const run = useCallback(async (work: () => Promise<string | void>) => {
    setBusy(true);
    setOutcome(undefined);
    try {
      const text = await work();
      if (text) setOutcome({ kind: 'success', text });
      return true;
    } catch (error) {
      setOutcome({ kind: 'error', text: error instanceof Error ? error.message : String(error) });
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setOutcome(undefined), []);
  return { busy, outcome, run, clear };
}

/** Calls `tick` every `ms` while `active`, e.g. to refresh a dashboard live. */
export function useInterval(tick: () => void, ms: number, active = true): void {
  const onTick = useEffectEvent(tick);
  useEffect(() => {
    if (!active) return undefined;
    const timer = window.setInterval(() => onTick(), ms);
    return () => window.clearInterval(timer);
  }, [ms, active]);
}

/**
 * The edited copy of a record on a form: which fields changed (only those are
 * sent, so a save never overwrites what someone else changed meanwhile) and a
 * reset when the record is reloaded.
 */
import { useCallback, useMemo, useState } from 'react';

export interface Draft<T> {
  readonly value: T;
  set<K extends keyof T>(field: K, value: T[K]): void;
  /** the fields whose value differs from the record as loaded */
  readonly changes: Partial<T>;
  readonly dirty: boolean;
}

export function useDraft<T extends object>(original: T): Draft<T> {
  const [edits, setEdits] = useState<{ base: T; fields: Partial<T> }>({ base: original, fields: {} });
  // A newly loaded record replaces the edits made to the previous one.
  const fields = useMemo<Partial<T>>(() => (edits.base === original ? edits.fields : {}), [edits, original]);
  const value = useMemo(() => ({ ...original, ...fields }), [original, fields]);
  const changes = useMemo(() => {
    const result: Partial<T> = {};
    for (const key of Object.keys(fields) as (keyof T)[]) {
      if (fields[key] !== original[key]) result[key] = fields[key];
    }
    return result;
  }, [original, fields]);
  const set = useCallback(
    <K extends keyof T>(field: K, next: T[K]) =>
      setEdits((current) => ({
        base: original,
        fields: { ...(current.base === original ? current.fields : {}), [field]: next },
      })),
    [original],
  );
  return { value, set, changes, dirty: Object.keys(changes).length > 0 };
}

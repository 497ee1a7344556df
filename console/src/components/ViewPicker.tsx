/**
 * The system views of a grid ("Active Mailboxes", "Inactive Email Server
 * Profiles"…), chosen from a list as in the reference system. The choice is
 * kept in the URL (?view=…) so that links and the Back button keep it.
 */
import { useSearchParams } from 'react-router';

export interface ViewOption<K extends string> {
  readonly key: K;
  readonly label: string;
}

export function useView<K extends string>(
  views: readonly ViewOption<K>[],
  fallback: K,
): [K, (next: K) => void] {
  const [params, setParams] = useSearchParams();
  const raw = params.get('view');
  const current = views.find((view) => view.key === raw)?.key ?? fallback;
  const choose = (next: K) =>
    setParams(
      (previous) => {
        const updated = new URLSearchParams(previous);
        updated.set('view', next);
        return updated;
      },
      { replace: false },
    );
  return [current, choose];
}

export function ViewPicker<K extends string>({
  views,
  value,
  onChange,
  id,
}: {
  views: readonly ViewOption<K>[];
  value: K;
  onChange: (next: K) => void;
  id: string;
}) {
  return (
    <div className="view-picker">
      <label htmlFor={id}>View</label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value as K)}>
        {views.map((view) => (
          <option key={view.key} value={view.key}>
            {view.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The filters of the Alerts page; their values live in the URL so a filtered list can be linked. */
import { useId } from 'react';
import { useDirectory } from '../../directory/DirectoryContext';

export interface AlertFilter {
  readonly level: string;
  readonly code: string;
  readonly mailbox: string;
  readonly profile: string;
  readonly status: string;
}

export function AlertFilters({
  filter,
  codes,
  onChange,
}: {
  filter: AlertFilter;
  /** codes seen, offered as suggestions */
  codes: readonly string[];
  onChange: (field: keyof AlertFilter, value: string) => void;
}) {
  const { directory } = useDirectory();
  const id = useId();
  return (
    <form className="filters" aria-label="Alert filters" onSubmit={(event) => event.preventDefault()}>
      <div className="field">
        <label htmlFor={`${id}-status`}>Status</label>
        <select
          id={`${id}-status`}
          value={filter.status}
          onChange={(e) => onChange('status', e.target.value)}
        >
          <option value="open">Open</option>
          <option value="resolved">Resolved</option>
          <option value="all">All</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-level`}>Level</label>
        <select id={`${id}-level`} value={filter.level} onChange={(e) => onChange('level', e.target.value)}>
          <option value="">All levels</option>
          <option value="error">Error</option>
          <option value="warning">Warning</option>
          <option value="information">Information</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-code`}>Code</label>
        <input
          id={`${id}-code`}
          list={`${id}-codes`}
          value={filter.code}
          onChange={(e) => onChange('code', e.target.value)}
          placeholder="Any code"
        />
        <datalist id={`${id}-codes`}>
          {codes.map((code) => (
            <option key={code} value={code} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor={`${id}-mailbox`}>Mailbox</label>
        <select
          id={`${id}-mailbox`}
          value={filter.mailbox}
          onChange={(e) => onChange('mailbox', e.target.value)}
        >
          <option value="">All mailboxes</option>
          {directory.mailboxes.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-profile`}>Email server profile</label>
        <select
          id={`${id}-profile`}
          value={filter.profile}
          onChange={(e) => onChange('profile', e.target.value)}
        >
          <option value="">All profiles</option>
          {directory.profiles.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
    </form>
  );
}

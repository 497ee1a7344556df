import type { Party } from '../../api/types';
import { RecordLink } from '../../components/RecordLink';

const TYPE_LABEL: Readonly<Record<string, string>> = {
  user: 'User',
  contact: 'Contact',
  account: 'Account',
  lead: 'Lead',
  queue: 'Queue',
};

/** One sender or recipient: the record it resolved to (linked where the console has a page), or the bare address. */
export function PartyName({ party }: { party: Party }) {
  const label = party.displayName ? `${party.displayName} <${party.address ?? ''}>` : (party.address ?? '—');
  if (!party.partyType || !party.partyId) return <span title="Not resolved to a record">{label}</span>;
  return (
    <span>
      <RecordLink type={party.partyType} id={party.partyId} name={label} />{' '}
      <span className="muted">({TYPE_LABEL[party.partyType] ?? party.partyType})</span>
    </span>
  );
}

export function PartyList({ parties }: { parties: readonly Party[] }) {
  if (parties.length === 0) return <span className="muted">—</span>;
  return (
    <ul className="party-list">
      {parties.map((party, index) => (
        <li key={`${party.address ?? ''}-${index}`}>
          <PartyName party={party} />
        </li>
      ))}
    </ul>
  );
}

/** The short form for a grid cell: the first party's name or address. */
export function partySummary(parties: readonly Party[]): string {
  const first = parties[0];
  if (!first) return '—';
  const name = first.displayName ?? first.address ?? '—';
  return parties.length > 1 ? `${name} +${parties.length - 1}` : name;
}

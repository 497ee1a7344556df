import { useNavigate } from 'react-router';
import type { Loaded } from '../api/hooks';
import type { Listing } from '../api/client';
import { CommandBar } from './CommandBar';
import { DataGrid, type Column } from './DataGrid';
import { LoadError, Loading } from './Notice';
import { Truncated } from './Truncated';

/** The commands above a list of records: New (when records can be created here) and Refresh. */
export function ListCommands({
  label,
  newPath,
  onRefresh,
}: {
  label: string;
  newPath?: string;
  onRefresh: () => void;
}) {
  const navigate = useNavigate();
  return (
    <CommandBar label={label}>
      {newPath && (
        <button type="button" onClick={() => void navigate(newPath)}>
          New
        </button>
      )}
      <button type="button" onClick={onRefresh}>
        Refresh
      </button>
    </CommandBar>
  );
}

/**
 * A loaded list of records as a grid: the load error with a retry, a loading
 * notice until the first answer, then the grid and how many records it shows.
 */
export function ListingGrid<T extends { id: string }>({
  listing,
  what,
  caption,
  columns,
  empty,
}: {
  listing: Loaded<Listing<T>>;
  /** what is loading, in the plural ("queues") */
  what: string;
  caption: string;
  columns: readonly Column<T>[];
  empty: string;
}) {
  return (
    <>
      {listing.error && <LoadError error={listing.error} onRetry={listing.reload} />}
      {!listing.data ? (
        <Loading what={what} />
      ) : (
        <>
          <DataGrid caption={caption} columns={columns} rows={listing.data.items} empty={empty} />
          <Truncated shown={listing.data.items.length} truncated={listing.data.truncated} />
        </>
      )}
    </>
  );
}

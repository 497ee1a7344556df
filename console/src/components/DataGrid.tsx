/**
 * A grid of records as the reference system shows them: sortable columns, a
 * checkbox per row for commands that act on several records, and the first
 * column linking to the record's form. It is a real <table> (screen readers
 * announce headers); on a phone each row becomes a card with labelled values.
 */
import { useMemo, useState, type ReactNode } from 'react';

export interface Column<T> {
  readonly key: string;
  readonly header: string;
  render(row: T): ReactNode;
  /** the value to sort by; columns without one are not sortable */
  sortValue?(row: T): string | number;
}

interface Sort {
  readonly key: string;
  readonly descending: boolean;
}

function compare(a: string | number, b: string | number): number {
  return typeof a === 'number' && typeof b === 'number'
    ? a - b
    : String(a).localeCompare(String(b), undefined, { sensitivity: 'base', numeric: true });
}

export function DataGrid<T extends { readonly id: string }>({
  caption,
  columns,
  rows,
  empty,
  selected,
  onSelectedChange,
  rowLabel,
}: {
  /** names the grid for assistive technology */
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  empty: string;
  /** with these two, rows can be selected */
  selected?: ReadonlySet<string>;
  onSelectedChange?: (next: Set<string>) => void;
  /** names a row in its checkbox label */
  rowLabel?: (row: T) => string;
}) {
  const [sort, setSort] = useState<Sort>();
  const sorted = useMemo(() => {
    const by = sort && columns.find((c) => c.key === sort.key)?.sortValue;
    if (!sort || !by) return rows;
    const result = [...rows].sort((a, b) => compare(by(a), by(b)));
    return sort.descending ? result.reverse() : result;
  }, [rows, columns, sort]);

  const selectable = selected !== undefined && onSelectedChange !== undefined;
  const allSelected = selectable && rows.length > 0 && rows.every((row) => selected.has(row.id));
  const toggle = (id: string) => {
    if (!selectable) return;
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onSelectedChange(next);
  };

  return (
    <div className="grid-wrap">
      <table className="grid">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {selectable && (
              <th scope="col" className="select-cell">
                <input
                  type="checkbox"
                  aria-label="Select all rows"
                  checked={allSelected}
                  onChange={() =>
                    onSelectedChange(allSelected ? new Set() : new Set(rows.map((row) => row.id)))
                  }
                />
              </th>
            )}
            {columns.map((column) => (
              <th
                key={column.key}
                scope="col"
                aria-sort={
                  sort?.key === column.key ? (sort.descending ? 'descending' : 'ascending') : undefined
                }
              >
                {column.sortValue ? (
                  <button
                    type="button"
                    className="sort-button"
                    onClick={() =>
                      setSort((current) => ({
                        key: column.key,
                        descending: current?.key === column.key ? !current.descending : false,
                      }))
                    }
                  >
                    {column.header}
                    <span aria-hidden="true">
                      {sort?.key === column.key ? (sort.descending ? ' ▼' : ' ▲') : ''}
                    </span>
                  </button>
                ) : (
                  column.header
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.length === 0 && (
            <tr>
              <td colSpan={columns.length + (selectable ? 1 : 0)} className="empty-row">
                {empty}
              </td>
            </tr>
          )}
          {sorted.map((row) => (
            <tr key={row.id} className={selectable && selected.has(row.id) ? 'selected' : undefined}>
              {selectable && (
                <td className="select-cell">
                  <input
                    type="checkbox"
                    aria-label={`Select ${rowLabel ? rowLabel(row) : row.id}`}
                    checked={selected.has(row.id)}
                    onChange={() => toggle(row.id)}
                  />
                </td>
              )}
              {columns.map((column) => (
                <td key={column.key} data-label={column.header}>
                  {column.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

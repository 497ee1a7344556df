/**
 * A chart with a title and, for people who cannot see it, the same figures as
 * a table behind a "Show data" disclosure.
 */
import type { ReactNode } from 'react';

export function ChartCard({
  title,
  children,
  columns,
  rows,
}: {
  title: string;
  children: ReactNode;
  columns: readonly string[];
  rows: readonly (readonly (string | number)[])[];
}) {
  return (
    <figure className="chart-card">
      <figcaption>{title}</figcaption>
      <div className="chart" aria-hidden="true">
        {children}
      </div>
      <details>
        <summary>Show data</summary>
        <table className="grid compact">
          <thead>
            <tr>
              {columns.map((column) => (
                <th key={column} scope="col">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <tr key={index}>
                {row.map((cell, cellIndex) => (
                  <td key={cellIndex}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

import { useEffect, type ReactNode } from 'react';

/**
 * The top of every page: where it sits in the site map (as the reference
 * system shows "Settings › Email Configuration"), its title, and the window
 * title so that browser tabs and history are readable.
 */
export function PageHeader({
  trail,
  title,
  kind,
  children,
}: {
  trail: readonly string[];
  title: string;
  /** the kind of record a form shows, above its name */
  kind?: string;
  children?: ReactNode;
}) {
  useEffect(() => {
    document.title = `${title} · Mailroom`;
  }, [title]);
  return (
    <header className="page-header">
      <nav aria-label="Breadcrumb">
        <ol className="breadcrumb">
          {trail.map((step) => (
            <li key={step}>{step}</li>
          ))}
        </ol>
      </nav>
      {kind && <p className="record-kind">{kind}</p>}
      <h1 tabIndex={-1}>{title}</h1>
      {children}
    </header>
  );
}

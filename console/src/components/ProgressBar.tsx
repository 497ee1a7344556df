/** Progress of a long command (bulk Test & Enable), announced politely as it advances. */
export function ProgressBar({ label, done, total }: { label: string; done: number; total: number }) {
  return (
    <div className="progress" role="status">
      <span>
        {label}: {done} of {total}
      </span>
      <progress max={total} value={done} aria-label={label} />
    </div>
  );
}

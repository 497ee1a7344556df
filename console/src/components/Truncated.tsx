/** Says that a grid shows only the first records, so nobody mistakes it for everything. */
export function Truncated({ shown, truncated }: { shown: number; truncated: boolean }) {
  return (
    <p className="grid-footer" role="status">
      {truncated
        ? `Showing the first ${shown} records; search or choose a narrower view to see others.`
        : `${shown} ${shown === 1 ? 'record' : 'records'}`}
    </p>
  );
}

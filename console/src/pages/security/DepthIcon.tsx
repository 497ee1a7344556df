import type { Depth } from '../../api/types';

/**
 * The reference system's depth symbols: an empty circle for none, then a
 * quarter, half, three quarters and a full circle as the reach widens.
 */
const FILL: Readonly<Record<Depth, number>> = {
  none: 0,
  user: 0.25,
  businessUnit: 0.5,
  parentChild: 0.75,
  organization: 1,
};

export function DepthIcon({ depth }: { depth: Depth }) {
  const share = FILL[depth];
  const angle = share * 2 * Math.PI;
  const x = 10 + 8 * Math.sin(angle);
  const y = 10 - 8 * Math.cos(angle);
  const large = share > 0.5 ? 1 : 0;
  return (
    <svg
      className={`depth-icon depth-${depth}`}
      viewBox="0 0 20 20"
      width="20"
      height="20"
      aria-hidden="true"
      focusable="false"
    >
      <circle cx="10" cy="10" r="8" className="depth-ring" />
      {share === 1 && <circle cx="10" cy="10" r="8" className="depth-fill" />}
      {share > 0 && share < 1 && (
        <path d={`M10 10 L10 2 A8 8 0 ${large} 1 ${x.toFixed(2)} ${y.toFixed(2)} Z`} className="depth-fill" />
      )}
    </svg>
  );
}

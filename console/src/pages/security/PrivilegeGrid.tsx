/**
 * The security role grid: entities × access rights, each cell a button that
 * cycles the depth as admins of the reference system expect. Cells are real
 * buttons (Tab to reach, Enter or Space to change) and say their state in
 * words to screen readers.
 */
import type { Depth } from '../../api/types';
import { DEPTH } from '../../labels';
import { DepthIcon } from './DepthIcon';
import { ENTITY_GROUPS, nextDepth, RIGHTS, SPECIAL } from './privileges';

function DepthCell({
  label,
  depth,
  onChange,
}: {
  label: string;
  depth: Depth;
  onChange: (next: Depth) => void;
}) {
  return (
    <button
      type="button"
      className="depth-cell"
      aria-label={`${label}: ${DEPTH[depth]}`}
      title={`${label}: ${DEPTH[depth]}`}
      onClick={() => onChange(nextDepth(depth))}
    >
      <DepthIcon depth={depth} />
    </button>
  );
}

export function PrivilegeGrid({
  depthOf,
  onChange,
}: {
  depthOf: (key: string) => Depth;
  onChange: (key: string, depth: Depth) => void;
}) {
  return (
    <>
      {ENTITY_GROUPS.map((group) => (
        <section key={group.label} className="privilege-group" aria-label={group.label}>
          <h2>{group.label}</h2>
          <div className="grid-wrap">
            <table className="privilege-grid">
              <thead>
                <tr>
                  <th scope="col">Entity</th>
                  {RIGHTS.map(([right, label]) => (
                    <th key={right} scope="col">
                      {label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {group.entities.map(([entity, entityLabel]) => (
                  <tr key={entity}>
                    <th scope="row">{entityLabel}</th>
                    {RIGHTS.map(([right, rightLabel]) => {
                      const key = `${entity}:${right}`;
                      return (
                        <td key={right}>
                          <DepthCell
                            label={`${rightLabel} ${entityLabel}`}
                            depth={depthOf(key)}
                            onChange={(next) => onChange(key, next)}
                          />
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
      <section className="privilege-group" aria-label="Miscellaneous Privileges">
        <h2>Miscellaneous Privileges</h2>
        <div className="grid-wrap">
          <table className="privilege-grid">
            <tbody>
              {SPECIAL.map(([key, label]) => (
                <tr key={key}>
                  <th scope="row">{label}</th>
                  <td>
                    <DepthCell label={label} depth={depthOf(key)} onChange={(next) => onChange(key, next)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <p className="legend" aria-label="Key">
        {(['none', 'user', 'businessUnit', 'parentChild', 'organization'] as const).map((depth) => (
          <span key={depth}>
            <DepthIcon depth={depth} /> {DEPTH[depth]}
          </span>
        ))}
      </p>
    </>
  );
}

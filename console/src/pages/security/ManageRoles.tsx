/**
 * Manage Roles on a user or a team, as in the reference system: a dialog with
 * every security role as a checkbox; OK assigns the newly checked roles and
 * removes the unchecked ones.
 */
import { useState } from 'react';
import { api } from '../../api/client';
import type { Role } from '../../api/types';
import { Dialog } from '../../components/Dialog';

export function ManageRoles({
  holder,
  holderId,
  holderName,
  assigned,
  roles,
  busy,
  run,
}: {
  holder: 'users' | 'teams';
  holderId: string;
  holderName: string;
  assigned: readonly string[];
  roles: readonly Role[];
  busy: boolean;
  /** runs the change as the page's action (messages, reload) */
  run: (work: () => Promise<string>) => void;
}) {
  const [open, setOpen] = useState(false);
  const [checked, setChecked] = useState<Set<string>>(new Set(assigned));

  const openDialog = () => {
    setChecked(new Set(assigned));
    setOpen(true);
  };
  const toggle = (id: string) =>
    setChecked((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const apply = () => {
    setOpen(false);
    const added = [...checked].filter((id) => !assigned.includes(id));
    const removed = assigned.filter((id) => !checked.has(id));
    run(async () => {
      for (const roleId of added) await api('POST', `/api/${holder}/${holderId}/roles`, { roleId });
      for (const roleId of removed) await api('DELETE', `/api/${holder}/${holderId}/roles/${roleId}`);
      return added.length + removed.length === 0
        ? 'No change to the security roles.'
        : `Security roles of ${holderName} updated: ${added.length} assigned, ${removed.length} removed.`;
    });
  };

  return (
    <>
      <button type="button" onClick={openDialog} disabled={busy}>
        Manage Roles
      </button>
      <Dialog
        title={`Manage ${holder === 'users' ? 'User' : 'Team'} Roles: ${holderName}`}
        open={open}
        onClose={() => setOpen(false)}
        actions={
          <>
            <button type="button" className="primary" onClick={apply}>
              OK
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </>
        }
      >
        <fieldset className="role-choices">
          <legend>Security roles</legend>
          {[...roles]
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((role) => (
              <div key={role.id} className="role-choice">
                <input
                  id={`role-${role.id}`}
                  type="checkbox"
                  checked={checked.has(role.id)}
                  aria-describedby={role.description ? `role-${role.id}-description` : undefined}
                  onChange={() => toggle(role.id)}
                />
                <label htmlFor={`role-${role.id}`}>{role.name}</label>
                {role.description && (
                  <span className="muted" id={`role-${role.id}-description`}>
                    — {role.description}
                  </span>
                )}
              </div>
            ))}
        </fieldset>
      </Dialog>
    </>
  );
}

import type { ReactNode } from 'react';

/** The row of commands above a grid or form (Save, Test & Enable Mailbox, Activate…). */
export function CommandBar({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="command-bar" role="group" aria-label={label}>
      {children}
    </div>
  );
}

/**
 * The security role editor: name, description and the privilege grid.
 * Changed cells are kept until Save, which sends only them ("none" removes a
 * grant), so two admins editing different privileges do not undo each other.
 */
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api } from '../../api/client';
import { useAction, useLoad } from '../../api/hooks';
import type { Depth, Role } from '../../api/types';
import { CommandBar } from '../../components/CommandBar';
import { FormSection, TextField } from '../../components/fields';
import { LoadError, Loading, Notice } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import { useDirectory } from '../../directory/DirectoryContext';
import { PrivilegeGrid } from './PrivilegeGrid';

const BLANK: Role = {
  id: '',
  name: '',
  description: '',
  businessUnitId: '',
  predefinedKey: null,
  privileges: {},
  updatedAt: '',
};

function RoleEditor({ role, reload }: { role: Role; reload: () => void }) {
  const isNew = role.id === '';
  const [name, setName] = useState(role.name);
  const [description, setDescription] = useState(role.description);
  const [grants, setGrants] = useState<Record<string, Depth>>({});
  const action = useAction();
  const navigate = useNavigate();
  const { refresh } = useDirectory();
  const depthOf = (key: string): Depth => grants[key] ?? role.privileges[key] ?? 'none';
  const changedGrants = Object.fromEntries(
    Object.entries(grants).filter(([key, depth]) => depth !== (role.privileges[key] ?? 'none')),
  );
  const dirty =
    name !== role.name || description !== role.description || Object.keys(changedGrants).length > 0;

  const save = () =>
    void action
      .run(async () => {
        const body = {
          ...(name !== role.name || isNew ? { name } : {}),
          ...(description !== role.description ? { description } : {}),
          ...(Object.keys(changedGrants).length > 0 ? { privileges: changedGrants } : {}),
        };
        if (isNew) {
          const created = await api<Role>('POST', '/api/roles', body);
          void navigate(`/security/roles/${created.id}`, { replace: true });
          return 'Created.';
        }
        await api('PATCH', `/api/roles/${role.id}`, body);
        setGrants({});
        return `Saved (${Object.keys(changedGrants).length} privilege${Object.keys(changedGrants).length === 1 ? '' : 's'} changed).`;
      })
      .then(() => {
        reload();
        refresh();
      });

  return (
    <>
      <PageHeader
        trail={['Settings', 'Security', 'Security Roles']}
        kind="Security Role"
        title={isNew ? 'New Security Role' : role.name}
      />
      <CommandBar label="Security role commands">
        <button type="button" className="primary" disabled={action.busy || !dirty} onClick={save}>
          Save
        </button>
        <button
          type="button"
          disabled={action.busy || Object.keys(grants).length === 0}
          onClick={() => setGrants({})}
        >
          Discard Changes
        </button>
      </CommandBar>
      <Notice outcome={action.outcome} onDismiss={action.clear} />
      <FormSection title="Details">
        <TextField label="Role Name" value={name} onChange={setName} required />
        <TextField label="Description" value={description} onChange={setDescription} />
      </FormSection>
      <PrivilegeGrid
        depthOf={depthOf}
        onChange={(key, depth) => setGrants((current) => ({ ...current, [key]: depth }))}
      />
    </>
  );
}

export function RolePage() {
  const { id = '' } = useParams();
  const role = useLoad(id, () =>
    id === 'new' ? Promise.resolve(BLANK) : api<Role>('GET', `/api/roles/${id}`),
  );
  if (role.error) return <LoadError error={role.error} onRetry={role.reload} />;
  if (!role.data) return <Loading what="the security role" />;
  // A saved role comes back with a new updatedAt: the editor starts again from it.
  return <RoleEditor key={`${id}|${role.data.updatedAt}`} role={role.data} reload={role.reload} />;
}

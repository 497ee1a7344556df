/** The fields of an email server profile: servers, security, credentials, and processing limits. */
import type { Draft } from '../../api/useDraft';
import type { EmailServerProfile } from '../../api/types';
import { fromLocalInput, toLocalInput } from '../../components/dates';
import {
  CheckboxField,
  FormSection,
  NumberField,
  problemFor,
  SelectField,
  TextField,
} from '../../components/fields';
import { OwnerField } from '../../components/OwnerField';
import { enumOptions, SERVER_TYPE, TLS_MODE } from '../../labels';

export interface ProfilePasswords {
  readonly incoming: string;
  readonly outgoing: string;
}

export function ProfileFields({
  draft,
  passwords,
  onPasswords,
  problems,
  isNew,
}: {
  draft: Draft<EmailServerProfile>;
  passwords: ProfilePasswords;
  onPasswords: (next: ProfilePasswords) => void;
  problems: readonly { field: string; message: string }[];
  isNew: boolean;
}) {
  const p = draft.value;
  const problem = (field: string) => problemFor(problems, field);
  return (
    <>
      <FormSection title="General">
        <TextField
          label="Name"
          value={p.name}
          onChange={(v) => draft.set('name', v)}
          problem={problem('name')}
          required
        />
        <SelectField
          label="Server Type"
          value={p.serverType}
          options={enumOptions(SERVER_TYPE)}
          onChange={(v) => draft.set('serverType', v)}
        />
        {!isNew && (
          <OwnerField
            ownerType={p.ownerType}
            ownerId={p.ownerId}
            onChange={(type, id) => {
              draft.set('ownerType', type);
              draft.set('ownerId', id);
            }}
          />
        )}
      </FormSection>
      <FormSection title="Server Location">
        <TextField
          label="Incoming Server Location"
          value={p.incomingHost ?? ''}
          onChange={(v) => draft.set('incomingHost', v || null)}
          problem={problem('incomingHost')}
        />
        <NumberField
          label="Incoming Port"
          value={p.incomingPort}
          onChange={(v) => draft.set('incomingPort', v)}
          min={1}
          max={65535}
          hint="Empty: the standard port for the protocol and security"
        />
        <SelectField
          label="Incoming Connection Security"
          value={p.incomingTls}
          options={enumOptions(TLS_MODE)}
          onChange={(v) => draft.set('incomingTls', v)}
        />
        <TextField
          label="Outgoing Server Location"
          value={p.outgoingHost ?? ''}
          onChange={(v) => draft.set('outgoingHost', v || null)}
          problem={problem('outgoingHost')}
        />
        <NumberField
          label="Outgoing Port"
          value={p.outgoingPort}
          onChange={(v) => draft.set('outgoingPort', v)}
          min={1}
          max={65535}
        />
        <SelectField
          label="Outgoing Connection Security"
          value={p.outgoingTls}
          options={enumOptions(TLS_MODE)}
          onChange={(v) => draft.set('outgoingTls', v)}
        />
        <TextField
          label="Appointments, Contacts, and Tasks Server (CalDAV/CardDAV URL)"
          type="url"
          value={p.actUrl ?? ''}
          onChange={(v) => draft.set('actUrl', v || null)}
          problem={problem('actUrl')}
        />
        <CheckboxField
          label="Verify Server Certificates"
          checked={p.tlsVerifyCertificates}
          onChange={(v) => draft.set('tlsVerifyCertificates', v)}
          hint="Turn off only for a server with a self-signed certificate."
        />
      </FormSection>
      <FormSection title="Credentials">
        <SelectField
          label="Authenticate Using"
          value={p.credentialSource}
          options={[
            { value: 'mailbox', label: 'Credentials Specified by a User or Queue' },
            { value: 'profile', label: 'Credentials Specified in Email Server Profile' },
          ]}
          onChange={(v) => draft.set('credentialSource', v)}
        />
        <TextField
          label="Incoming User Name"
          value={p.incomingUsername ?? ''}
          onChange={(v) => draft.set('incomingUsername', v || null)}
          autoComplete="off"
        />
        <TextField
          label="Incoming Password"
          type="password"
          value={passwords.incoming}
          onChange={(v) => onPasswords({ ...passwords, incoming: v })}
          autoComplete="new-password"
          hint={p.incomingPasswordSet ? 'A password is stored. Type a new one to replace it.' : undefined}
        />
        <CheckboxField
          label="Use Same Settings for Outgoing Connections"
          checked={p.useSameSettingsForOutgoing}
          onChange={(v) => draft.set('useSameSettingsForOutgoing', v)}
        />
        {!p.useSameSettingsForOutgoing && (
          <>
            <TextField
              label="Outgoing User Name"
              value={p.outgoingUsername ?? ''}
              onChange={(v) => draft.set('outgoingUsername', v || null)}
              autoComplete="off"
            />
            <TextField
              label="Outgoing Password"
              type="password"
              value={passwords.outgoing}
              onChange={(v) => onPasswords({ ...passwords, outgoing: v })}
              autoComplete="new-password"
              hint={p.outgoingPasswordSet ? 'A password is stored. Type a new one to replace it.' : undefined}
            />
          </>
        )}
      </FormSection>
      <FormSection title="Advanced">
        <TextField
          label="Process Email From"
          type="datetime-local"
          value={toLocalInput(p.processEmailReceivedAfter)}
          onChange={(v) => draft.set('processEmailReceivedAfter', fromLocalInput(v))}
        />
        <NumberField
          label="Minimum Polling Intervals in Minutes"
          value={p.minPollingIntervalMinutes}
          onChange={(v) => draft.set('minPollingIntervalMinutes', v ?? 0)}
          min={0}
          max={1440}
        />
        <NumberField
          label="Maximum Concurrent Connections"
          value={p.maxConcurrentConnections}
          onChange={(v) => draft.set('maxConcurrentConnections', v ?? 1)}
          min={1}
          max={300}
        />
        <NumberField
          label="Connection Timeout (ms)"
          value={p.connectionTimeoutMs}
          onChange={(v) => draft.set('connectionTimeoutMs', v ?? 30000)}
          min={1000}
          max={100000}
        />
        <TextField
          label="Move Failed Email to Folder"
          value={p.moveFailedItemsFolder ?? ''}
          onChange={(v) => draft.set('moveFailedItemsFolder', v || null)}
        />
      </FormSection>
    </>
  );
}

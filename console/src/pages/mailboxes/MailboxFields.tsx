/**
 * The editable part of the mailbox form: General (with the Server Profile
 * lookup and the Owner), Synchronization Method, and Credentials.
 */
import type { Draft } from '../../api/useDraft';
import type { Mailbox } from '../../api/types';
import { fromLocalInput, toLocalInput } from '../../components/dates';
import {
  CheckboxField,
  FormSection,
  problemFor,
  ReadOnlyField,
  SelectField,
  TextField,
} from '../../components/fields';
import { OwnerField } from '../../components/OwnerField';
import { RecordLink } from '../../components/RecordLink';
import { useDirectory } from '../../directory/DirectoryContext';
import { ACT_METHOD, enumOptions, INCOMING_METHOD, OUTGOING_METHOD } from '../../labels';

export function MailboxFields({
  draft,
  password,
  onPassword,
  problems,
}: {
  draft: Draft<Mailbox>;
  password: string;
  onPassword: (value: string) => void;
  problems: readonly { field: string; message: string }[];
}) {
  const { directory } = useDirectory();
  const m = draft.value;
  const profileOptions = [
    { value: '', label: '(none)' },
    ...directory.profiles.map((p) => ({
      value: p.id,
      label: p.state === 'active' ? p.name : `${p.name} (Inactive)`,
    })),
  ];
  return (
    <>
      <FormSection title="General">
        <TextField
          label="Name"
          value={m.name}
          onChange={(v) => draft.set('name', v)}
          problem={problemFor(problems, 'name')}
          required
        />
        <TextField
          label="Email Address"
          type="email"
          value={m.emailAddress ?? ''}
          onChange={(v) => draft.set('emailAddress', v || null)}
          problem={problemFor(problems, 'emailAddress')}
        />
        <ReadOnlyField label="Regarding">
          {m.regardingType ? (
            <RecordLink type={m.regardingType} id={m.regardingId} />
          ) : (
            'None (a forward mailbox)'
          )}
        </ReadOnlyField>
        <OwnerField
          ownerType={m.ownerType}
          ownerId={m.ownerId}
          onChange={(type, id) => {
            draft.set('ownerType', type);
            draft.set('ownerId', id);
          }}
        />
        <div className="field-with-link">
          <SelectField
            label="Server Profile"
            value={m.emailServerProfileId ?? ''}
            options={profileOptions}
            onChange={(v) => draft.set('emailServerProfileId', v || null)}
            problem={problemFor(problems, 'emailServerProfileId')}
          />
          {m.emailServerProfileId && (
            <span className="lookup-link">
              Open: <RecordLink type="emailServerProfile" id={m.emailServerProfileId} />
            </span>
          )}
        </div>
      </FormSection>
      <FormSection title="Synchronization Method">
        <SelectField
          label="Incoming Email"
          value={m.incomingMethod}
          options={enumOptions(INCOMING_METHOD)}
          onChange={(v) => draft.set('incomingMethod', v)}
        />
        <SelectField
          label="Outgoing Email"
          value={m.outgoingMethod}
          options={enumOptions(OUTGOING_METHOD)}
          onChange={(v) => draft.set('outgoingMethod', v)}
        />
        <SelectField
          label="Appointments, Contacts, and Tasks"
          value={m.actMethod}
          options={enumOptions(ACT_METHOD)}
          onChange={(v) => draft.set('actMethod', v)}
        />
        <TextField
          label="Process Email Received After"
          type="datetime-local"
          value={toLocalInput(m.processEmailReceivedAfter)}
          onChange={(v) => draft.set('processEmailReceivedAfter', fromLocalInput(v))}
        />
        <CheckboxField
          label="Delete Emails after Processing"
          checked={m.deleteEmailsAfterProcessing}
          onChange={(v) => draft.set('deleteEmailsAfterProcessing', v)}
        />
      </FormSection>
      <FormSection title="Credentials">
        <CheckboxField
          label="Allow to Use Credentials for Email Processing"
          checked={m.allowCredentialsUse}
          onChange={(v) => draft.set('allowCredentialsUse', v)}
          hint="Needed when the email server profile takes credentials from each mailbox."
        />
        <TextField
          label="User Name"
          value={m.username ?? ''}
          onChange={(v) => draft.set('username', v || null)}
          autoComplete="off"
        />
        <TextField
          label="Password"
          type="password"
          value={password}
          onChange={onPassword}
          autoComplete="new-password"
          hint={
            m.passwordSet ? 'A password is stored. Type a new one to replace it.' : 'No password is stored.'
          }
          problem={problemFor(problems, 'password')}
        />
      </FormSection>
    </>
  );
}

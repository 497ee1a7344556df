/**
 * Settings › Email Configuration › Email Configuration Settings: the
 * organization's email settings (approval, tracking token, correlation,
 * contacts, internal email, which alerts to generate, limits).
 */
import { api } from '../../api/client';
import { useAction, useLoad } from '../../api/hooks';
import type { Organization } from '../../api/types';
import { useDraft } from '../../api/useDraft';
import { CommandBar } from '../../components/CommandBar';
import { CheckboxField, FormSection, NumberField, SelectField, TextField } from '../../components/fields';
import { LoadError, Loading, Notice } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import { useDirectory } from '../../directory/DirectoryContext';

/** The settings that are switches. */
type Switch = { [K in keyof Organization]: Organization[K] extends boolean ? K : never }[keyof Organization];

function SettingsEditor({ organization, reload }: { organization: Organization; reload: () => void }) {
  const draft = useDraft(organization);
  const action = useAction();
  const { directory } = useDirectory();
  const o = draft.value;
  const check = (field: Switch, label: string, hint?: string) => (
    <CheckboxField label={label} hint={hint} checked={o[field]} onChange={(v) => draft.set(field, v)} />
  );
  const save = () =>
    void action
      .run(async () => {
        await api('PATCH', '/api/organization', draft.changes);
        return 'Email settings saved.';
      })
      .then(reload);

  return (
    <>
      <PageHeader trail={['Settings', 'Email Configuration']} title="Email Configuration Settings" />
      <CommandBar label="Email settings commands">
        <button type="button" className="primary" disabled={!draft.dirty || action.busy} onClick={save}>
          Save
        </button>
      </CommandBar>
      <Notice outcome={action.outcome} onDismiss={action.clear} />
      <FormSection title="Mailboxes">
        {check('requireApprovalForUserEmail', 'Process emails only for approved users')}
        {check('requireApprovalForQueueEmail', 'Process emails only for approved queues')}
        <SelectField
          label="Default Email Server Profile for new mailboxes"
          value={o.defaultEmailServerProfileId ?? ''}
          options={[
            { value: '', label: '(none)' },
            ...directory.profiles.map((p) => ({ value: p.id, label: p.name })),
          ]}
          onChange={(v) => draft.set('defaultEmailServerProfileId', v || null)}
        />
      </FormSection>
      <FormSection title="Tracking and Correlation">
        {check('trackingTokenEnabled', 'Use tracking token')}
        <TextField
          label="Tracking token prefix"
          value={o.trackingTokenPrefix}
          onChange={(v) => draft.set('trackingTokenPrefix', v)}
        />
        <NumberField
          label="Number of digits for incremental message counter"
          value={o.trackingTokenDigits}
          onChange={(v) => draft.set('trackingTokenDigits', v ?? 3)}
          min={1}
          max={9}
        />
        {check('emailCorrelationEnabled', 'Use correlation to track email conversations')}
        {check('smartMatchingEnabled', 'Use smart matching')}
      </FormSection>
      <FormSection title="Incoming Email">
        {check('autoCreateContacts', 'Automatically create records for unresolved senders (contacts)')}
        {check('ignoreInternalEmail', 'Ignore internal email')}
        {check('trackInternalEmailAsTwoActivities', 'Track email sent between users as two activities')}
        <NumberField
          label="Maximum incoming message size (KB, 0 = no limit)"
          value={o.maxIncomingMessageSizeKb}
          onChange={(v) => draft.set('maxIncomingMessageSizeKb', v ?? 0)}
          min={0}
        />
        <NumberField
          label="Maximum attachment size (KB, 0 = no limit)"
          value={o.maxAttachmentSizeKb}
          onChange={(v) => draft.set('maxAttachmentSizeKb', v ?? 0)}
          min={0}
        />
      </FormSection>
      <FormSection title="Alerts">
        {check('generateAlertsForErrors', 'Generate alerts for errors')}
        {check('generateAlertsForWarnings', 'Generate alerts for warnings')}
        {check('generateAlertsForInformation', 'Generate alerts for information')}
        {check(
          'notifyMailboxOwnerOfProfileAlerts',
          'Notify the mailbox owner of alerts about its email server profile',
        )}
        <NumberField
          label="Transient failures before a channel is disabled"
          value={o.transientFailureLimit}
          onChange={(v) => draft.set('transientFailureLimit', v ?? 1)}
          min={1}
          max={1000}
        />
        <TextField
          label="Product name in alert texts"
          value={o.productName}
          onChange={(v) => draft.set('productName', v)}
          hint="Alerts name the product; set it to the reference product's name for word-for-word texts."
        />
      </FormSection>
    </>
  );
}

export function EmailSettingsPage() {
  const organization = useLoad('organization', () => api<Organization>('GET', '/api/organization'));
  if (organization.error) return <LoadError error={organization.error} onRetry={organization.reload} />;
  if (!organization.data) return <Loading what="the email settings" />;
  return <SettingsEditor organization={organization.data} reload={organization.reload} />;
}

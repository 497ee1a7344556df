/** Configuration Test Results: what the last Test & Enable and the last sync found, read-only. */
import type { Mailbox } from '../../api/types';
import { ApprovalBadge, ChannelStatusBadge, StateBadge } from '../../components/Badges';
import { FormSection, ReadOnlyField } from '../../components/fields';
import { RecordLink } from '../../components/RecordLink';
import { Time } from '../../components/Time';
import { CHANNEL } from '../../labels';

function Enabled({ on }: { on: boolean }) {
  return <span>{on ? 'Enabled' : 'Disabled'}</span>;
}

export function MailboxStatus({ mailbox }: { mailbox: Mailbox }) {
  return (
    <FormSection title="Configuration Test Results">
      <ReadOnlyField label={`${CHANNEL.incoming} Status`}>
        <ChannelStatusBadge status={mailbox.incomingStatus} /> <Enabled on={mailbox.incomingEnabled} />
      </ReadOnlyField>
      <ReadOnlyField label={`${CHANNEL.outgoing} Status`}>
        <ChannelStatusBadge status={mailbox.outgoingStatus} /> <Enabled on={mailbox.outgoingEnabled} />
      </ReadOnlyField>
      <ReadOnlyField label={`${CHANNEL.act} Status`}>
        <ChannelStatusBadge status={mailbox.actStatus} /> <Enabled on={mailbox.actEnabled} />
      </ReadOnlyField>
      <ReadOnlyField label="Test Completed">
        {mailbox.testScheduled ? (
          'Test & Enable is scheduled…'
        ) : (
          <Time value={mailbox.testCompletedAt} empty="Never tested" />
        )}
      </ReadOnlyField>
      <ReadOnlyField label="Last Successful Sync">
        <Time value={mailbox.lastSuccessfulSyncAt} empty="Never" />
      </ReadOnlyField>
      <ReadOnlyField label="Last Sync Error">{mailbox.lastSyncErrorCode ?? '—'}</ReadOnlyField>
      <ReadOnlyField label="Email Address Status">
        <ApprovalBadge status={mailbox.approvalStatus} />
        {mailbox.approvedBy && (
          <>
            {' '}
            by <RecordLink type="user" id={mailbox.approvedBy} /> <Time value={mailbox.approvedAt} />
          </>
        )}
      </ReadOnlyField>
      <ReadOnlyField label="Status">
        <StateBadge state={mailbox.state} />
      </ReadOnlyField>
    </FormSection>
  );
}

/**
 * One email activity: parties resolved to records, regarding, how it was
 * correlated, its identifiers, attachments (downloaded, never shown inline)
 * and its body, rendered inert.
 */
import { useParams } from 'react-router';
import { api } from '../../api/client';
import { useLoad } from '../../api/hooks';
import type { Email } from '../../api/types';
import { FormSection, ReadOnlyField } from '../../components/fields';
import { LoadError, Loading } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import { RecordLink } from '../../components/RecordLink';
import { Time } from '../../components/Time';
import { PartyList } from './Parties';
import { SafeEmailBody } from './SafeEmailBody';

function EmailView({ email }: { email: Email }) {
  return (
    <>
      <PageHeader
        trail={['Activities', 'Emails']}
        kind={email.direction === 'incoming' ? 'Received Email' : 'Email'}
        title={email.subject || '(no subject)'}
      />
      <div className="form-columns">
        <FormSection title="Email">
          <ReadOnlyField label="From">
            <PartyList parties={email.from} />
          </ReadOnlyField>
          <ReadOnlyField label="To">
            <PartyList parties={email.to} />
          </ReadOnlyField>
          <ReadOnlyField label="Cc">
            <PartyList parties={email.cc} />
          </ReadOnlyField>
          <ReadOnlyField label="Regarding">
            {email.regardingType ? <RecordLink type={email.regardingType} id={email.regardingId} /> : '—'}
          </ReadOnlyField>
          <ReadOnlyField label="Owner">
            <RecordLink type={email.ownerType} id={email.ownerId} />
          </ReadOnlyField>
          <ReadOnlyField label="Status">{email.status}</ReadOnlyField>
        </FormSection>
        <FormSection title="Tracking">
          <ReadOnlyField label="Correlation Method">{email.correlationMethod ?? '—'}</ReadOnlyField>
          <ReadOnlyField label="Tracking Token">{email.trackingToken ?? '—'}</ReadOnlyField>
          <ReadOnlyField label="Message ID">
            <code className="wrap">{email.messageId ?? '—'}</code>
          </ReadOnlyField>
          <ReadOnlyField label="In Reply To">
            <code className="wrap">{email.inReplyTo ?? '—'}</code>
          </ReadOnlyField>
          <ReadOnlyField label="Created On">
            <Time value={email.createdAt} />
          </ReadOnlyField>
        </FormSection>
      </div>
      {email.attachments.length > 0 && (
        <FormSection title="Attachments">
          <ul className="form-wide link-list">
            {email.attachments.map((attachment) => (
              <li key={attachment.id}>
                {/* Served as a download (Content-Disposition: attachment), never rendered by the browser. */}
                <a href={`/api/attachments/${attachment.id}/content`} download={attachment.fileName}>
                  {attachment.fileName}
                </a>{' '}
                <span className="muted">
                  ({attachment.mimeType}, {Math.ceil(attachment.sizeBytes / 1024)} KB)
                </span>
              </li>
            ))}
          </ul>
        </FormSection>
      )}
      <section className="form-section" aria-labelledby="email-body-title">
        <h2 id="email-body-title">Description</h2>
        <SafeEmailBody html={email.bodyHtml} text={email.bodyText} />
      </section>
    </>
  );
}

export function EmailPage() {
  const { id = '' } = useParams();
  const email = useLoad(id, () => api<Email>('GET', `/api/emails/${id}`));
  if (email.error) return <LoadError error={email.error} onRetry={email.reload} />;
  if (!email.data) return <Loading what="the email" />;
  return <EmailView email={email.data} />;
}

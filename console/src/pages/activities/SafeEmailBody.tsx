/**
 * An email body, shown inert: sanitized HTML in a sandboxed frame (no
 * scripts, no same-origin access, no remote content), or the plain text.
 */
import { useMemo } from 'react';
import { emailDocument, sanitizeEmailHtml } from './sanitize';

export function SafeEmailBody({ html, text }: { html: string | null; text: string | null }) {
  const sanitized = useMemo(() => (html ? sanitizeEmailHtml(html) : undefined), [html]);
  if (!sanitized) {
    return text ? <pre className="email-text">{text}</pre> : <p className="muted">This email has no body.</p>;
  }
  return (
    <div className="email-body">
      {sanitized.blocked > 0 && (
        <p className="notice notice-info" role="status">
          Remote content blocked: {sanitized.blocked} reference{sanitized.blocked === 1 ? '' : 's'} to outside
          resources (such as tracking images) were removed.
        </p>
      )}
      {/* No allow-scripts and no allow-same-origin: the body can neither run code nor reach the console. */}
      <iframe
        className="email-frame"
        title="Email body"
        sandbox="allow-popups allow-popups-to-escape-sandbox"
        referrerPolicy="no-referrer"
        srcDoc={emailDocument(sanitized.html)}
      />
    </div>
  );
}

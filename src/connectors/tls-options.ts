/**
 * One place that turns an endpoint's trust settings into Node TLS options, so
 * IMAP, POP3, SMTP and CalDAV/CardDAV verify certificates the same way.
 */
import { isIP } from 'node:net';
import { createSecureContext, rootCertificates, type ConnectionOptions, type SecureContext } from 'node:tls';

export interface TrustSettings {
  readonly verifyCertificates: boolean;
  readonly extraCa?: string | undefined;
}

export type TrustOptions = Pick<
  ConnectionOptions,
  'ca' | 'rejectUnauthorized' | 'minVersion' | 'secureContext'
>;

/**
 * Building a context from Node's ~140 roots plus an extra CA costs tens of
 * milliseconds of CPU; without a shared context every connection pays it
 * again (a worker syncing hundreds of mailboxes would spend seconds on it).
 */
const contexts = new Map<string, SecureContext>();

function sharedContext(extraCa: string): SecureContext {
  let context = contexts.get(extraCa);
  if (context === undefined) {
    context = createSecureContext({ ca: [...rootCertificates, extraCa], minVersion: 'TLSv1.2' });
    contexts.set(extraCa, context);
  }
  return context;
}

/**
 * `ca` replaces Node's trusted roots rather than adding to them, so an extra
 * CA is appended to `tls.rootCertificates`; without one, `ca` stays unset and
 * Node's defaults (including NODE_EXTRA_CA_CERTS) apply.
 */
export function trustOptions(settings: TrustSettings): TrustOptions {
  const extra = settings.extraCa?.trim();
  return {
    rejectUnauthorized: settings.verifyCertificates,
    // TLS 1.0/1.1 are broken; a server that offers nothing newer fails with a clear TLS error.
    minVersion: 'TLSv1.2',
    ...(extra ? { ca: [...rootCertificates, extra], secureContext: sharedContext(extra) } : {}),
  };
}

/** SNI must not carry an IP address (RFC 6066 §3); Node checks the certificate against the address anyway. */
export function serverNameFor(host: string): string | undefined {
  return isIP(host) === 0 ? host : undefined;
}

/** Full Node TLS options for a direct connection to host. */
export function tlsConnectionOptions(host: string, settings: TrustSettings): ConnectionOptions {
  const servername = serverNameFor(host);
  return { ...trustOptions(settings), ...(servername === undefined ? {} : { servername }) };
}

/** How a report names the TLS mode. */
export function tlsLabel(endpoint: { readonly tls: 'none' | 'starttls' | 'implicit' }): string {
  return endpoint.tls === 'implicit' ? 'implicit TLS' : endpoint.tls === 'starttls' ? 'STARTTLS' : 'no TLS';
}

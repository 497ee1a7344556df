/**
 * Who may read /metrics. The figures name no message, but they do describe
 * the deployment (profiles, alert codes, volumes), so the endpoint is off
 * unless an operator sets MAILROOM_METRICS_TOKEN, and then answers only to
 * that bearer token. API tokens are deliberately not accepted: a scraper
 * should hold a credential that can read nothing else.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type MetricsAccess = 'disabled' | 'allowed' | 'denied';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export function metricsAccess(
  configuredToken: string | undefined,
  authorization: string | undefined,
): MetricsAccess {
  if (!configuredToken) return 'disabled';
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match?.[1]) return 'denied';
  // Digests have one length, so the comparison takes the same time whatever was sent.
  return timingSafeEqual(digest(match[1]), digest(configuredToken)) ? 'allowed' : 'denied';
}

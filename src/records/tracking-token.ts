/**
 * Tracking tokens: a short, unique mark that outgoing email carries in its
 * subject ("Quote for May CRM:0001042") so that a reply can be correlated even
 * when the mail client dropped In-Reply-To. Pure functions: numbering comes
 * from a database sequence at the caller.
 */

/** Subjects longer than this are cut on mail servers; the token must fit inside (reference default: 255). */
export const MAX_SUBJECT_LENGTH = 255;

/** The token for a number: prefix, then the number zero-padded to `4 + digits` places. */
export function formatTrackingToken(prefix: string, sequence: number, digits: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 0) throw new RangeError(`invalid tracking number ${sequence}`);
  return `${prefix}${String(sequence).padStart(4 + digits, '0')}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The token in a subject, if any: the last one, because replies put their own
 * prefixes in front and forwarded threads can carry older tokens first.
 */
export function extractTrackingToken(subject: string, prefix: string, digits: number): string | undefined {
  if (!prefix) return undefined;
  const pattern = new RegExp(`(?:^|[^\\w])(${escapeRegExp(prefix)}\\d{${4 + digits},})(?!\\d)`, 'g');
  let found: string | undefined;
  for (const match of subject.matchAll(pattern)) found = match[1];
  return found;
}

/**
 * The subject with the token appended, cut so that the whole stays within the
 * limit; a subject that already carries the token is left as it is, and a
 * token that alone exceeds the limit is not added.
 */
export function withTrackingToken(subject: string, token: string, maxLength = MAX_SUBJECT_LENGTH): string {
  if (subject.includes(token)) return subject;
  const suffix = ` ${token}`;
  if (suffix.length > maxLength) return subject.slice(0, maxLength);
  const room = maxLength - suffix.length;
  return `${subject.slice(0, room).trimEnd()}${suffix}`.trimStart();
}

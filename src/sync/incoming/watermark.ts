/**
 * "Process email from": mail received before the later of the profile's and
 * the mailbox's date is not tracked (reference §3.5 step 2). Skipping such
 * mail is not an error; the cursor moves past it like past processed mail.
 *
 * Mailroom does not move the mailbox's date forward as it processes mail (the
 * reference does): its position in the mailbox is the UID cursor, which is
 * exact where a received date is not (mail delivered late with an old date,
 * several messages in one second). The date stays what the admin set.
 */

/** The later of the two dates; null when neither is set (everything is processed). */
export function effectiveWatermark(profileDate: Date | null, mailboxDate: Date | null): Date | null {
  if (profileDate === null) return mailboxDate;
  if (mailboxDate === null) return profileDate;
  return profileDate.getTime() >= mailboxDate.getTime() ? profileDate : mailboxDate;
}

/**
 * Whether a message received at `receivedAt` (the server's INTERNALDATE) is
 * older than the watermark. A message whose date is unknown is processed:
 * losing mail is worse than tracking one old message.
 */
export function isBeforeWatermark(receivedAt: Date | null, watermark: Date | null): boolean {
  if (watermark === null || receivedAt === null || Number.isNaN(receivedAt.getTime())) return false;
  return receivedAt.getTime() < watermark.getTime();
}

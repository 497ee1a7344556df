/**
 * An email activity → the MIME message that goes out, built once with
 * nodemailer's composer so that the bytes sent over SMTP and the copy saved
 * in the Sent folder are the same message (only the Sent copy keeps Bcc, as
 * mail clients do).
 *
 * nodemailer encodes what needs encoding: non-ASCII display names and
 * subjects as RFC 2047 encoded words, non-ASCII attachment file names as
 * RFC 2231 parameters (plus an encoded-word `name` for old readers), bodies
 * as quoted-printable or base64 when they are not plain 7-bit.
 */
import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';

export interface OutgoingAddress {
  readonly address: string;
  readonly name?: string | null | undefined;
}

export interface OutgoingAttachment {
  readonly fileName: string;
  readonly mimeType: string;
  readonly content: Uint8Array;
  readonly contentId?: string | null | undefined;
  readonly isInline?: boolean | undefined;
}

export interface OutgoingEmail {
  readonly messageId: string;
  readonly date: Date;
  readonly from: OutgoingAddress;
  readonly to: readonly OutgoingAddress[];
  readonly cc: readonly OutgoingAddress[];
  readonly bcc: readonly OutgoingAddress[];
  readonly subject: string;
  readonly text?: string | null | undefined;
  readonly html?: string | null | undefined;
  readonly inReplyTo?: string | null | undefined;
  readonly references?: readonly string[] | undefined;
  readonly attachments?: readonly OutgoingAttachment[] | undefined;
  /** X-Mailer-like product header value */
  readonly mailer?: string | undefined;
}

export interface BuiltMessage {
  /** what goes over SMTP (no Bcc header) */
  readonly raw: Buffer;
  /** the Sent folder copy (with Bcc), when asked for */
  readonly sentCopy?: Buffer;
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
}

/** `<id>` form for headers; the stored Message-ID keeps its brackets too. */
export function bracketed(messageId: string): string {
  const trimmed = messageId.trim();
  return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
}

/**
 * A new Message-ID in the sender's domain: globally unique without
 * coordination (a random UUID), and recognisable in replies as ours.
 */
export function newMessageId(senderAddress: string, random: () => string = randomUUID): string {
  const at = senderAddress.lastIndexOf('@');
  const domain =
    at >= 0
      ? senderAddress
          .slice(at + 1)
          .trim()
          .toLowerCase()
      : '';
  const safeDomain = /^[a-z0-9.-]+$/.test(domain) && domain.length > 0 ? domain : 'mailroom.invalid';
  return `<${random()}@${safeDomain}>`;
}

/** The envelope recipients: every To, Cc and Bcc address once, case-insensitively, in order. */
export function envelopeRecipients(email: Pick<OutgoingEmail, 'to' | 'cc' | 'bcc'>): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const entry of [...email.to, ...email.cc, ...email.bcc]) {
    const address = entry.address.trim();
    const key = address.toLowerCase();
    if (address === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(address);
  }
  return out;
}

function mailAddress(entry: OutgoingAddress): Mail.Address | string {
  return entry.name ? { name: entry.name, address: entry.address } : entry.address;
}

function mailOptions(email: OutgoingEmail): Mail.Options {
  const references = (email.references ?? []).map(bracketed);
  return {
    messageId: bracketed(email.messageId),
    date: email.date,
    from: mailAddress(email.from),
    to: email.to.map(mailAddress),
    cc: email.cc.map(mailAddress),
    bcc: email.bcc.map(mailAddress),
    subject: email.subject,
    ...(email.text ? { text: email.text } : {}),
    ...(email.html ? { html: email.html } : {}),
    // A message needs a body; an empty text part keeps it valid.
    ...(!email.text && !email.html ? { text: '' } : {}),
    ...(email.inReplyTo ? { inReplyTo: bracketed(email.inReplyTo) } : {}),
    ...(references.length > 0 ? { references } : {}),
    attachments: (email.attachments ?? []).map((attachment) => ({
      filename: attachment.fileName,
      contentType: attachment.mimeType,
      content: Buffer.from(attachment.content),
      ...(attachment.contentId ? { cid: attachment.contentId.replace(/^<|>$/g, '') } : {}),
      ...(attachment.isInline ? { contentDisposition: 'inline' as const } : {}),
    })),
    headers: email.mailer ? { 'X-Mailer': email.mailer } : {},
  };
}

export async function buildMessage(
  email: OutgoingEmail,
  options: { sentCopy?: boolean } = {},
): Promise<BuiltMessage> {
  const to = envelopeRecipients(email);
  if (to.length === 0) throw new Error('the email has no recipient');
  const composed = mailOptions(email);
  const envelope = { from: email.from.address, to };
  const raw = await new MailComposer(composed).compile().build();
  // Composing is the costly part for large attachments: only build the copy when it will be saved.
  if (options.sentCopy === false) return { raw, envelope };
  const copy = new MailComposer(composed).compile();
  copy.keepBcc = true;
  return { raw, sentCopy: await copy.build(), envelope };
}

/** "RE: " once, whatever prefixes a reply chain already carries in front. */
export function replySubject(subject: string): string {
  const trimmed = subject.trim();
  return /^(re|aw|sv|antw)\s*:/i.test(trimmed) ? trimmed : `RE: ${trimmed}`;
}

/** References of a reply: the original's references then its Message-ID, without repeats. */
export function replyReferences(original: {
  messageId: string | null;
  references: readonly string[];
}): string[] {
  const out: string[] = [];
  for (const id of [...original.references, ...(original.messageId ? [original.messageId] : [])]) {
    const normalized = bracketed(id);
    if (!out.includes(normalized)) out.push(normalized);
  }
  return out;
}

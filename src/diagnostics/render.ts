/**
 * Pure helpers over the alert catalogue: render a message from its template,
 * compute the fingerprint that folds repeated alerts into one, look entries
 * up, and read the retry/disable meaning of a text's last sentence (§1.1 of
 * the reference: "try … again later" = transient, "has been disabled" /
 * "enable the mailbox" = permanent).
 */
import { createHash } from 'node:crypto';
import {
  ALERT_CATALOGUE,
  PLACEHOLDER_MEANINGS,
  TEST_MESSAGE_SUBJECT_TEMPLATE,
  type AlertCatalogueEntry,
  type AlertChannel,
  type AlertLevel,
  type FailureClass,
  type Placeholder,
} from './alert-catalogue.js';

export type PlaceholderValues = Readonly<Partial<Record<Placeholder, string | number>>>;

export class AlertRenderError extends Error {
  override readonly name = 'AlertRenderError';
}

const PLACEHOLDER_PATTERN = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

export function isPlaceholder(name: string): name is Placeholder {
  return Object.hasOwn(PLACEHOLDER_MEANINGS, name);
}

/** The placeholder names a template uses, once each, in order of first use. */
export function placeholdersIn(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER_PATTERN)].map((m) => m[1] as string))];
}

/**
 * Fill a template. Values are inserted as they are (never re-scanned, so a
 * subject containing braces stays intact). Throws `AlertRenderError` when a
 * placeholder is unknown or has no value, so a message never goes out with a
 * `{…}` left in it.
 */
export function renderTemplate(template: string, values: PlaceholderValues): string {
  return template.replace(PLACEHOLDER_PATTERN, (_match, name: string) => {
    if (!isPlaceholder(name)) throw new AlertRenderError(`Unknown placeholder {${name}} in "${template}"`);
    const value = values[name];
    if (value === undefined || value === null) {
      throw new AlertRenderError(`No value for {${name}} in "${template}"`);
    }
    return String(value);
  });
}

/** The alert message of an entry. */
export function renderAlert(entry: AlertCatalogueEntry, values: PlaceholderValues): string {
  return renderTemplate(entry.template, values);
}

export interface RenderedAlert {
  readonly id: string;
  readonly code: string;
  readonly channel: AlertChannel;
  readonly level: AlertLevel;
  readonly failure: FailureClass;
  readonly message: string;
  /** the "Email Server Error Code:" value, when the entry has one */
  readonly serverErrorCode?: string;
  readonly details?: string;
}

/** Message, server error code and details of an entry, all rendered with the same values. */
export function renderAlertParts(entry: AlertCatalogueEntry, values: PlaceholderValues): RenderedAlert {
  return {
    id: entry.id,
    code: entry.code,
    channel: entry.channel,
    level: entry.level,
    failure: entry.failure,
    message: renderAlert(entry, values),
    ...(entry.serverErrorCode === undefined
      ? {}
      : { serverErrorCode: renderTemplate(entry.serverErrorCode, values) }),
    ...(entry.details === undefined ? {} : { details: renderTemplate(entry.details, values) }),
  };
}

/** The message followed by its "Email Server Error Code:" line, as the reference displays an alert. */
export function renderAlertWithCode(entry: AlertCatalogueEntry, values: PlaceholderValues): string {
  const message = renderAlert(entry, values);
  return entry.serverErrorCode === undefined
    ? message
    : `${message} Email Server Error Code: ${renderTemplate(entry.serverErrorCode, values)}`;
}

// ---------------------------------------------------------------------------
// Product names

/**
 * The two product placeholders from the organization's product name.
 * `product` is the name as configured; `productShort` drops a leading
 * "Microsoft " ("Microsoft Dynamics 365" → "Dynamics 365"; "Mailroom" stays
 * "Mailroom") unless a short name is given. The reference uses the full name in
 * its alert texts and the short one only in the test message subject.
 */
export function productNames(
  productName: string,
  shortName?: string,
): { readonly product: string; readonly productShort: string } {
  const product = productName.trim();
  const derived = product.replace(/^Microsoft\s+/, '');
  return { product, productShort: shortName?.trim() || derived || product };
}

/** The subject of the Test & Enable test message for a product name. */
export function testMessageSubject(productName: string, shortName?: string): string {
  return renderTemplate(TEST_MESSAGE_SUBJECT_TEMPLATE, productNames(productName, shortName));
}

// ---------------------------------------------------------------------------
// Look-up

const BY_ID = new Map(ALERT_CATALOGUE.map((entry) => [entry.id, entry]));

/** The entry with this id; throws when there is none. */
export function getEntry(id: string): AlertCatalogueEntry {
  const entry = BY_ID.get(id);
  if (!entry) throw new Error(`No alert catalogue entry ${id}`);
  return entry;
}

/**
 * The entry for a code (and channel). Several entries may share a code (one
 * per channel, or a current and a legacy wording); the first in catalogue
 * order that is not legacy wins, so classifiers get the current wording.
 */
export function findEntry(code: string, channel?: AlertChannel): AlertCatalogueEntry | undefined {
  const matches = ALERT_CATALOGUE.filter(
    (entry) => entry.code === code && (channel === undefined || entry.channel === channel),
  );
  return matches.find((entry) => !entry.legacy) ?? matches[0];
}

// ---------------------------------------------------------------------------
// Folding repeats

export interface AlertFingerprintParts {
  readonly code: string;
  /** distinguishes the per-channel entries that share a code */
  readonly channel?: AlertChannel | null;
  readonly mailboxId?: string | null;
  readonly emailServerProfileId?: string | null;
  /** the item an item-level alert is about (e.g. "INBOX:uidvalidity:uid") */
  readonly itemReference?: string | null;
}

/**
 * A stable hash that identifies "the same alert": same code, channel,
 * mailbox, profile and item. A new occurrence with the fingerprint of an open
 * alert folds into it (count + last seen) instead of creating another.
 */
export function alertFingerprint(parts: AlertFingerprintParts): string {
  const canonical = JSON.stringify([
    'mailroom-alert/1',
    parts.code,
    parts.channel ?? null,
    parts.mailboxId ?? null,
    parts.emailServerProfileId ?? null,
    parts.itemReference ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

// ---------------------------------------------------------------------------
// The meaning of a text's tail (§1.1)

/** "The system will try again later." / "… try to receive email again later." / "… try to send the message again later." */
export const RETRY_TAIL = /The system will try (?:to (?:receive|send) (?:email|the message) )?again later\.$/;
/** "The mailbox has been disabled for …" / "One or more mailboxes have been disabled …" */
export const DISABLED_PHRASE = /\b(?:has|have) been disabled\b/;
/** "Then, enable the mailbox for email processing." / "and then enable the mailboxes for …" */
export const RE_ENABLE_PHRASE = /\benable the mailbox(?:es)? for\b/;
/** "Mailbox X didn't synchronize." (this cycle or test failed; says nothing about the next) */
export const CYCLE_FAILED_PHRASE = /\bdidn't synchronize\b/;

export interface TailMeaning {
  /** the text promises another attempt: transient */
  readonly retry: boolean;
  /** the text says the workload was disabled: permanent */
  readonly disabled: boolean;
  /** the text asks to enable the mailbox again: permanent */
  readonly reEnable: boolean;
  /** the text says this cycle failed */
  readonly cycleFailed: boolean;
}

export function describeTail(text: string): TailMeaning {
  return {
    retry: RETRY_TAIL.test(text),
    disabled: DISABLED_PHRASE.test(text),
    reEnable: RE_ENABLE_PHRASE.test(text),
    cycleFailed: CYCLE_FAILED_PHRASE.test(text),
  };
}

/**
 * The failure class a text's wording implies, or undefined when the wording
 * does not say (e.g. "didn't synchronize" alone, or a precondition message).
 */
export function failureImpliedByText(text: string): 'transient' | 'permanent' | undefined {
  const tail = describeTail(text);
  if (tail.disabled || tail.reEnable) return 'permanent';
  if (tail.retry) return 'transient';
  return undefined;
}

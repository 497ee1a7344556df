/**
 * Contacts ↔ vCard (3.0 written; 3.0 and 4.0 read), with ical.js.
 *
 * N gives first and last name (FN, then ORG, then the first email when N is
 * empty: a contact needs a last name); EMAIL → email addresses 1–3 in order;
 * TEL with TYPE=cell → mobile phone, the first other TEL → telephone; TITLE →
 * job title; ORG (first unit) → company name; the first ADR → address 1.
 *
 * Rendering with `base` (the card as it is on the server) changes values in
 * place — the first three emails, the phone numbers Mailroom maps, the first
 * address — and keeps everything else (photos, notes, extra numbers).
 */
import ICAL from 'ical.js';
import { MalformedItemError } from './ical-mapping.js';
import type { ContactData } from './records.js';

export interface ParsedVCard {
  readonly uid: string;
  readonly data: ContactData;
  /** REV: when the card last changed */
  readonly lastModified: Date | null;
}

function parseCard(text: string): ICAL.Component {
  let jcal: unknown;
  try {
    jcal = ICAL.parse(text);
  } catch (error) {
    throw new MalformedItemError('vcard', error instanceof Error ? error.message : String(error));
  }
  if (Array.isArray(jcal) && Array.isArray(jcal[0])) jcal = jcal[0];
  if (!Array.isArray(jcal) || jcal[0] !== 'vcard') throw new MalformedItemError('vcard', 'no VCARD found');
  return new ICAL.Component(jcal as never);
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const result = (Array.isArray(value) ? value.join(' ') : String(value)).trim();
  return result === '' ? null : result;
}

function parts(value: unknown): string[] {
  if (Array.isArray(value))
    return value.map((part) => (Array.isArray(part) ? part.join(',') : String(part ?? '')));
  if (typeof value === 'string') return value.split(';');
  return [];
}

function types(property: ICAL.Property): string[] {
  const type: unknown = property.getParameter('type');
  const list = Array.isArray(type) ? type : type === undefined || type === null ? [] : [type];
  return list.flatMap((entry) => String(entry).toLowerCase().split(','));
}

function isMobile(property: ICAL.Property): boolean {
  return types(property).includes('cell');
}

export function parseVCard(body: string): ParsedVCard {
  const card = parseCard(body);
  const uid = text(card.getFirstPropertyValue('uid'));
  if (!uid) throw new MalformedItemError('vcard', 'the vCard has no UID');
  const name = parts(card.getFirstPropertyValue('n'));
  const emails = card.getAllProperties('email').flatMap((p) => {
    const value = text(p.getFirstValue());
    return value ? [value.replace(/^mailto:/i, '')] : [];
  });
  const phones = card.getAllProperties('tel');
  const phoneText = (p: ICAL.Property | undefined) =>
    p ? (text(p.getFirstValue())?.replace(/^tel:/i, '') ?? null) : null;
  const org = parts(card.getFirstPropertyValue('org'));
  const adr = parts(card.getFirstPropertyValue('adr'));
  const family = text(name[0]);
  const given = text([name[1], name[2]].filter(Boolean).join(' '));
  const firstName = family ? given : null;
  const lastName =
    family ?? given ?? text(card.getFirstPropertyValue('fn')) ?? text(org[0]) ?? emails[0] ?? null;
  if (!lastName) throw new MalformedItemError('vcard', 'the vCard has no name (N, FN or ORG) and no email');
  const rev = card.getFirstPropertyValue('rev');
  return {
    uid,
    data: {
      firstName,
      lastName: lastName.slice(0, 50),
      emailAddress1: emails[0] ?? null,
      emailAddress2: emails[1] ?? null,
      emailAddress3: emails[2] ?? null,
      telephone: phoneText(phones.find((p) => !isMobile(p))),
      mobilePhone: phoneText(phones.find(isMobile)),
      jobTitle: text(card.getFirstPropertyValue('title')),
      companyName: text(org[0]),
      address1Line1: text(adr[2]),
      address1City: text(adr[3]),
      address1StateOrProvince: text(adr[4]),
      address1PostalCode: text(adr[5]),
      address1Country: text(adr[6]),
    },
    lastModified: rev instanceof ICAL.Time ? rev.toJSDate() : rev ? dateOrNull(String(rev)) : null,
  };
}

function dateOrNull(value: string): Date | null {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function renderVCard(
  data: ContactData,
  uid: string,
  options: { base?: string; now?: Date } = {},
): string {
  const now = options.now ?? new Date();
  let card: ICAL.Component;
  if (options.base !== undefined) {
    card = parseCard(options.base);
  } else {
    card = new ICAL.Component('vcard');
    card.addPropertyWithValue('version', '3.0');
  }
  card.updatePropertyWithValue('uid', uid);
  const fullName = [data.firstName, data.lastName].filter(Boolean).join(' ');
  card.updatePropertyWithValue('fn', fullName);
  card.removeAllProperties('n');
  const n = new ICAL.Property('n');
  n.setValue([data.lastName, data.firstName ?? '', '', '', ''] as never);
  card.addProperty(n);

  // Emails: the first three in place, any others kept.
  const emails = card.getAllProperties('email');
  const wanted = [data.emailAddress1, data.emailAddress2, data.emailAddress3];
  wanted.forEach((address, index) => {
    const existing = emails[index];
    if (existing && address) existing.setValue(address);
    else if (existing && !address) card.removeProperty(existing);
    else if (address) {
      const property = new ICAL.Property('email');
      property.setParameter('type', index === 0 ? 'work' : 'home');
      property.setValue(address);
      card.addProperty(property);
    }
  });

  const phones = card.getAllProperties('tel');
  setPhone(
    card,
    phones.find((p) => !isMobile(p)),
    data.telephone,
    'work',
  );
  setPhone(card, phones.find(isMobile), data.mobilePhone, 'cell');

  setSimple(card, 'title', data.jobTitle);
  const org = card.getFirstProperty('org');
  if (data.companyName) {
    const units = org ? parts(org.getFirstValue()) : [];
    units[0] = data.companyName;
    card.removeAllProperties('org');
    const property = new ICAL.Property('org');
    property.setValue((units.length > 1 ? units : units[0]) as never);
    card.addProperty(property);
  } else if (org) {
    card.removeAllProperties('org');
  }

  const address = [
    data.address1Line1,
    data.address1City,
    data.address1StateOrProvince,
    data.address1PostalCode,
    data.address1Country,
  ];
  const adr = card.getFirstProperty('adr');
  if (address.some((part) => part)) {
    const previous = adr ? parts(adr.getFirstValue()) : [];
    const value = [previous[0] ?? '', previous[1] ?? '', ...address.map((part) => part ?? '')];
    const property = adr ?? new ICAL.Property('adr');
    if (!adr) {
      property.setParameter('type', 'work');
      card.addProperty(property);
    }
    property.setValue(value as never);
  } else if (adr) {
    card.removeProperty(adr);
  }
  card.updatePropertyWithValue('rev', ICAL.Time.fromJSDate(now, true));
  return card.toString().replace(/\r?\n/g, '\r\n') + '\r\n';
}

function setPhone(
  card: ICAL.Component,
  existing: ICAL.Property | undefined,
  value: string | null,
  type: string,
): void {
  if (existing && value) existing.setValue(value);
  else if (existing) card.removeProperty(existing);
  else if (value) {
    const property = new ICAL.Property('tel');
    property.setParameter('type', type);
    property.setValue(value);
    card.addProperty(property);
  }
}

function setSimple(card: ICAL.Component, name: string, value: string | null): void {
  card.removeAllProperties(name);
  if (value) card.addPropertyWithValue(name, value);
}

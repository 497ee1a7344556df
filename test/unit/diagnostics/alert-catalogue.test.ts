import { describe, expect, it } from 'vitest';
import {
  ALERT_CATALOGUE,
  ALERT_CHANNELS,
  ALERT_LEVELS,
  FAILURE_CLASSES,
  NOT_APPLICABLE,
  PLACEHOLDERS,
  REFERENCE_ROWS,
  TEST_MESSAGE_SUBJECT_TEMPLATE,
  rowOf,
  type AlertCatalogueEntry,
  type Placeholder,
} from '../../../src/diagnostics/alert-catalogue.js';
import {
  describeTail,
  failureImpliedByText,
  placeholdersIn,
  renderAlertParts,
  type PlaceholderValues,
} from '../../../src/diagnostics/render.js';

const texts = (entry: AlertCatalogueEntry): string[] =>
  [entry.template, entry.serverErrorCode, entry.details].filter((t): t is string => t !== undefined);

/** A value for every placeholder, each containing no braces. */
const SAMPLE: PlaceholderValues = Object.fromEntries(PLACEHOLDERS.map((p) => [p, `<${p}>`]));

describe('alert catalogue: shape', () => {
  it('has unique ids, also across the not-applicable list', () => {
    const ids = [...ALERT_CATALOGUE.map((e) => e.id), ...NOT_APPLICABLE.map((n) => n.id)];
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('lists 97 reference rows, A1–G16', () => {
    expect(REFERENCE_ROWS).toHaveLength(97);
    expect(REFERENCE_ROWS[0]).toBe('A1');
    expect(REFERENCE_ROWS.at(-1)).toBe('G16');
  });

  it('accounts for every reference row: reproduced by an entry or listed as not applicable', () => {
    const covered = new Set([
      ...ALERT_CATALOGUE.flatMap((e) => e.rows),
      ...NOT_APPLICABLE.map((n) => rowOf(n.id)),
    ]);
    expect(REFERENCE_ROWS.filter((row) => !covered.has(row))).toEqual([]);
  });

  it('names only real rows, and reference ids belong to their first row', () => {
    const rows = new Set(REFERENCE_ROWS);
    for (const entry of ALERT_CATALOGUE) {
      for (const row of entry.rows) expect(rows.has(row), `${entry.id}: ${row}`).toBe(true);
      if (entry.rows.length > 0) expect(rowOf(entry.id), entry.id).toBe(entry.rows[0]);
      else expect(entry.id, entry.id).toMatch(/^MR\d+(-(in|out|act))?$/);
    }
    for (const na of NOT_APPLICABLE) {
      expect(rows.has(rowOf(na.id)), na.id).toBe(true);
      expect(na.reason.length, na.id).toBeGreaterThan(20);
    }
  });

  it("marks Mailroom's own codes as such", () => {
    for (const entry of ALERT_CATALOGUE.filter((e) => e.rows.length === 0)) {
      expect(entry.code, entry.id).toMatch(/^Mailroom[A-Z][A-Za-z0-9]+$/);
      expect(entry.codeDocumented, entry.id).toBe(false);
      expect(entry.text, entry.id).toBe('own');
    }
    for (const entry of ALERT_CATALOGUE.filter((e) => e.rows.length > 0)) {
      expect(entry.code.startsWith('Mailroom'), entry.id).toBe(false);
    }
  });

  it('uses only known channels, levels and failure classes; item entries name their workload', () => {
    for (const entry of ALERT_CATALOGUE) {
      expect(ALERT_CHANNELS, entry.id).toContain(entry.channel);
      expect(ALERT_LEVELS, entry.id).toContain(entry.level);
      expect(FAILURE_CLASSES, entry.id).toContain(entry.failure);
      expect(entry.itemWorkload !== undefined, entry.id).toBe(entry.channel === 'item');
    }
  });

  it('explains every entry: when, meaning, fix', () => {
    for (const entry of ALERT_CATALOGUE) {
      for (const field of [entry.when, entry.meaning, entry.fix])
        expect(field.trim().length, entry.id).toBeGreaterThan(2);
    }
  });

  it('keeps the documented numeric codes consistent with the hex in the code names', () => {
    for (const entry of ALERT_CATALOGUE) {
      const hex = /^Crm\.([0-9a-f]{8})\b/i.exec(entry.code)?.[1];
      if (hex === undefined || entry.numericCode === undefined) continue;
      // A3's fault number (-2147220960 = 0x80040220) and A4/A5 match their hex.
      expect((entry.numericCode >>> 0).toString(16), entry.id).toBe(hex.toLowerCase());
    }
    for (const entry of ALERT_CATALOGUE.filter((e) =>
      /^UnknownIncomingEmailIntegrationError -\d+$/.test(e.code),
    )) {
      expect(entry.code.endsWith(` ${entry.numericCode}`), entry.id).toBe(true);
      expect(entry.serverErrorCode, entry.id).toBe(`Exchange server returned ${entry.code} exception.`);
    }
  });
});

describe('alert catalogue: placeholders', () => {
  it('declares exactly the placeholders its texts use', () => {
    for (const entry of ALERT_CATALOGUE) {
      const used = [...new Set(texts(entry).flatMap(placeholdersIn))].sort();
      expect([...entry.placeholders].sort(), entry.id).toEqual(used);
      expect(new Set(entry.placeholders).size, entry.id).toBe(entry.placeholders.length);
    }
  });

  it('uses only known placeholders, and no other braces', () => {
    for (const entry of ALERT_CATALOGUE) {
      for (const text of texts(entry)) {
        for (const name of placeholdersIn(text))
          expect(PLACEHOLDERS, entry.id).toContain(name as Placeholder);
        expect(text.replace(/\{[A-Za-z][A-Za-z0-9]*\}/g, ''), entry.id).not.toMatch(/[{}]/);
      }
    }
  });

  it('renders every entry without leaving braces', () => {
    for (const entry of ALERT_CATALOGUE) {
      const parts = renderAlertParts(entry, SAMPLE);
      for (const text of [parts.message, parts.serverErrorCode, parts.details]) {
        if (text !== undefined) expect(text, entry.id).not.toMatch(/[{}]/);
      }
    }
  });

  it('quotes every email subject and never a mailbox or profile name', () => {
    for (const entry of ALERT_CATALOGUE) {
      const template = entry.template;
      if (template.includes('{emailSubject}')) expect(template, entry.id).toContain('"{emailSubject}"');
      expect(template, entry.id).not.toMatch(/"\{(mailboxName|profileName|otherMailboxName)\}"/);
    }
  });

  it('names the product through {product}, and the short name only in the test subject', () => {
    for (const entry of ALERT_CATALOGUE) {
      for (const text of texts(entry)) {
        expect(text, entry.id).not.toMatch(/Dynamics 365|Mailroom/);
        expect(text, entry.id).not.toContain('{productShort}');
      }
    }
    expect(TEST_MESSAGE_SUBJECT_TEMPLATE).toBe('Your mailbox is now connected to {productShort}');
  });
});

describe('alert catalogue: the retry/disable grammar of §1.1', () => {
  const mailboxLevel = ALERT_CATALOGUE.filter((e) => e.channel !== 'item');

  it('every "try … again later" text is transient', () => {
    for (const entry of mailboxLevel.filter((e) => describeTail(e.template).retry)) {
      expect(entry.failure, entry.id).toBe('transient');
    }
  });

  it('every "has been disabled" or "enable the mailbox" text is permanent', () => {
    for (const entry of ALERT_CATALOGUE) {
      const tail = describeTail(entry.template);
      if (tail.disabled || tail.reEnable) expect(entry.failure, entry.id).toBe('permanent');
    }
  });

  it('every transient text ends with the retry tail, or (where the reference words it so) says the attempt failed', () => {
    // The reference marks C8, C12 and F3 transient although their texts end with
    // "didn't synchronize … has been notified." instead of a retry tail; A16 is a
    // network timeout (§3.4: transient) with the same wording.
    const WITHOUT_TAIL = ['A16', 'C8', 'C12', 'F3'];
    for (const entry of mailboxLevel.filter((e) => e.failure === 'transient')) {
      const tail = describeTail(entry.template);
      if (WITHOUT_TAIL.includes(entry.id)) {
        expect(tail.cycleFailed, entry.id).toBe(true);
        expect(tail.retry, entry.id).toBe(false);
      } else {
        expect(tail.retry, `${entry.id}: ${entry.template}`).toBe(true);
      }
    }
  });

  it('no text promises a retry and a disable at once', () => {
    for (const entry of ALERT_CATALOGUE) {
      const tail = describeTail(entry.template);
      expect(tail.retry && (tail.disabled || tail.reEnable), entry.id).toBe(false);
    }
  });

  it('reads the tails as the reference describes them', () => {
    expect(failureImpliedByText('… The system will try to receive email again later.')).toBe('transient');
    expect(failureImpliedByText('… The system will try to send the message again later.')).toBe('transient');
    expect(failureImpliedByText('… The system will try again later.')).toBe('transient');
    expect(failureImpliedByText('The mailbox X has been disabled for sending email and …')).toBe('permanent');
    expect(failureImpliedByText('… Then, enable the mailbox for email processing.')).toBe('permanent');
    expect(
      failureImpliedByText("Mailbox X didn't synchronize. The owner … has been notified."),
    ).toBeUndefined();
    expect(
      failureImpliedByText('Make sure the user name and password you entered are correct and try again.'),
    ).toBeUndefined();
  });

  it('success and decision-free information entries disable nothing', () => {
    for (const entry of ALERT_CATALOGUE.filter((e) => e.level === 'information' && e.channel !== 'item')) {
      if (entry.id === 'C11') continue; // the reference's information-level transient internal error
      expect(entry.failure, entry.id).toBe('none');
    }
  });
});

describe('alert catalogue: the documented situations of issue 3', () => {
  const byId = (id: string) => ALERT_CATALOGUE.find((e) => e.id === id);

  it('C1: queue owned by a team without roles is transient, with the documented code', () => {
    expect(byId('C1')).toMatchObject({
      code: 'UnknownIncomingEmailIntegrationError -2147209462',
      numericCode: -2147209462,
      serverErrorCode: 'Exchange server returned UnknownIncomingEmailIntegrationError -2147209462 exception.',
      channel: 'incoming',
      failure: 'transient',
    });
  });

  it('A2: ACT privilege error on Test & Enable; A5 for a user with no role', () => {
    expect(byId('A2')).toMatchObject({ code: 'UserPrivilegeError', channel: 'act', level: 'error' });
    expect(byId('A5')).toMatchObject({ code: 'Crm.80042f09.UserNotAssignedRoles', channel: 'act' });
  });

  it('A1: missing or inactive profile on the incoming channel', () => {
    expect(byId('A1')).toMatchObject({
      code: 'InvalidIncomingEmailServerProfile',
      channel: 'incoming',
      level: 'error',
    });
  });
});

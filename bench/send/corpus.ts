/**
 * The emails bench/send queues: a fixed, seeded mix close to what a CRM
 * sends — plain text, HTML with a text alternative, some with an attachment,
 * non-ASCII names and subjects — so every run sends the same bytes.
 */
import { seededRandom } from '../../test/support/seeded-random.js';

export interface BenchEmail {
  readonly subject: string;
  readonly bodyText: string;
  readonly bodyHtml?: string;
  readonly to: { address: string; displayName: string }[];
  readonly attachments?: { fileName: string; mimeType: string; contentBase64: string }[];
}

const NAMES = ['Zoë Ünal', 'Björn Ångström', 'José Núñez', 'Łucja Żak', '山田 太郎', 'Plain Name'];
const SUBJECTS = [
  'Angebot für Q3',
  'Devis révisé',
  'Propuesta de renovación',
  '見積もりのご案内',
  'Follow-up',
];

export interface Mix {
  readonly text: number;
  readonly html: number;
  readonly attachment: number;
}

export function benchEmails(
  count: number,
  recipients: readonly string[],
  tag: string,
): { emails: BenchEmail[]; mix: Mix } {
  const random = seededRandom(20260501);
  const attachment = Buffer.alloc(24 * 1024, 'Mailroom bench attachment. ').toString('base64');
  const mix = { text: 0, html: 0, attachment: 0 };
  const emails: BenchEmail[] = [];
  for (let i = 0; i < count; i += 1) {
    const pick = random();
    const name = NAMES[Math.floor(random() * NAMES.length)]!;
    const subject = `${SUBJECTS[Math.floor(random() * SUBJECTS.length)]} ${tag} #${i}`;
    const to = [{ address: recipients[i % recipients.length]!, displayName: name }];
    const bodyText = `Hallo ${name},\n\n${'Grüße aus Köln, und danke für das Gespräch. '.repeat(8)}\n`;
    if (pick < 0.6) {
      mix.text += 1;
      emails.push({ subject, bodyText, to });
    } else if (pick < 0.85) {
      mix.html += 1;
      emails.push({ subject, bodyText, bodyHtml: `<p>Hallo <b>${name}</b>,</p><p>${bodyText}</p>`, to });
    } else {
      mix.attachment += 1;
      emails.push({
        subject,
        bodyText,
        to,
        attachments: [
          { fileName: `Übersicht ${i}.pdf`, mimeType: 'application/pdf', contentBase64: attachment },
        ],
      });
    }
  }
  return { emails, mix };
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS_DOC_PATH, renderErrorsDoc } from '../../../scripts/generate-errors-doc.js';
import { ALERT_CATALOGUE, NOT_APPLICABLE, REFERENCE_ROWS } from '../../../src/diagnostics/alert-catalogue.js';

const doc = readFileSync(ERRORS_DOC_PATH, 'utf8');

describe('docs/errors.md', () => {
  it('documents every catalogue entry: id, code, message template', () => {
    const missing = ALERT_CATALOGUE.filter(
      (e) => !doc.includes(`#### ${e.id}\n`) || !doc.includes(e.code) || !doc.includes(e.template),
    ).map((e) => e.id);
    expect(missing).toEqual([]);
  });

  it('lists every row that does not apply, with its reason', () => {
    const missing = NOT_APPLICABLE.filter(
      (n) => !doc.includes(`#### ${n.id}\n`) || !doc.includes(n.reason),
    ).map((n) => n.id);
    expect(missing).toEqual([]);
  });

  it('mentions every reference row', () => {
    const missing = REFERENCE_ROWS.filter((row) => !new RegExp(`#### ${row}(\\n|-)|Row ${row} `).test(doc));
    expect(missing).toEqual([]);
  });

  it('points to the API error codes', () => {
    expect(doc).toContain('MR_ERR_');
    expect(doc).toContain('api.md#errors');
  });

  it('is up to date with the catalogue (run `npx tsx scripts/generate-errors-doc.ts`)', async () => {
    expect(doc).toBe(await renderErrorsDoc());
  });
});

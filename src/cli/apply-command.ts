/**
 * `mailroom apply FILE [--as USERNAME] [--dry-run]`: brings users, teams,
 * roles, business units, profiles, queues, mailboxes and the organization
 * settings to the state a YAML or JSON file describes (docs/apply.md).
 *
 * Exit codes: 0 applied (or nothing to do), 1 the file is invalid or a change
 * was refused (nothing is written then), 2 the command line is wrong.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { applyDocument } from '../apply/apply.js';
import { ApplyError } from '../apply/errors.js';
import { loadDocument } from '../apply/load.js';
import type { Environment } from '../apply/interpolate.js';
import type { Config } from '../config/config.js';
import { DomainError } from '../resources/errors.js';
import { createLogger, openRuntime } from '../runtime.js';
import type { Output } from './main.js';

const USAGE = 'Usage: mailroom apply FILE [--as USERNAME] [--dry-run]';

export async function runApplyCommand(
  config: Config,
  args: string[],
  output: Output,
  env: Environment = process.env,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        as: { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    output.err(`mailroom apply: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    output.out(`${USAGE}\n\nSee docs/apply.md for the file format.`);
    return 0;
  }
  if (positionals.length !== 1 || !positionals[0]) {
    output.err(
      `mailroom apply: ${positionals.length === 0 ? 'name the file to apply' : 'apply takes one file'}\n${USAGE}`,
    );
    return 2;
  }
  if (values.as !== undefined && values.as.trim() === '') {
    output.err(`mailroom apply: --as needs a username\n${USAGE}`);
    return 2;
  }
  const file = positionals[0];
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    output.err(
      `mailroom apply: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
    return 2;
  }

  let document;
  try {
    document = loadDocument(text, file, env);
  } catch (error) {
    if (!(error instanceof ApplyError)) throw error;
    reportProblems(output, file, error);
    return 1;
  }

  const runtime = await openRuntime(config, createLogger({ logLevel: 'warn' }));
  try {
    const report = await applyDocument({ db: runtime.database.db, secrets: runtime.secrets }, document, {
      as: values.as,
      dryRun: values['dry-run'] ?? false,
    });
    for (const line of report.changes) output.out(line);
    output.out(report.summary);
    if (report.dryRun) output.out(`Dry run as ${report.actor}: nothing was written.`);
    return 0;
  } catch (error) {
    if (error instanceof ApplyError) {
      reportProblems(output, file, error);
      return 1;
    }
    if (error instanceof DomainError) {
      output.err(`mailroom apply: ${error.message}`);
      output.err('Nothing was changed.');
      return 1;
    }
    throw error;
  } finally {
    await runtime.close();
  }
}

function reportProblems(output: Output, file: string, error: ApplyError): void {
  for (const problem of error.problems) output.err(`${file}: ${problem}`);
  output.err('Nothing was changed.');
}

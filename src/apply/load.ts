/**
 * From the text of an apply file to a validated document: parse it as JSON or
 * YAML, substitute `${VAR}` references, and check it against the format. Pure:
 * the caller reads the file and passes the environment.
 */
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ApplyError } from './errors.js';
import { formatPath, interpolate, type Environment } from './interpolate.js';
import { applyDocumentSchema, type ApplyDocument } from './schema.js';

/** One line per zod issue, with the path in the file; unknown keys get a line each. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${formatPath([...issue.path, key])}: unrecognized key`);
    } else if (issue.code === 'invalid_type' && issue.input === undefined) {
      lines.push(`${formatPath(issue.path)}: required`);
    } else {
      lines.push(`${formatPath(issue.path)}: ${issue.message}`);
    }
  }
  return lines;
}

/** JSON for `.json`, YAML for `.yaml`/`.yml`, otherwise JSON and then YAML. */
export function parseText(text: string, fileName: string): unknown {
  const extension = extname(fileName).toLowerCase();
  const asJson = (): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new ApplyError([`not valid JSON: ${(error as Error).message}`]);
    }
  };
  const asYaml = (): unknown => {
    // YAML 1.2 core schema: dates stay text, `on`/`yes` stay text.
    const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (document.errors.length > 0) {
      throw new ApplyError(
        document.errors.map((error) => `not valid YAML: ${error.message.split('\n')[0] ?? ''}`),
      );
    }
    return document.toJS() as unknown;
  };
  if (extension === '.json') return asJson();
  if (extension === '.yaml' || extension === '.yml') return asYaml();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return asYaml();
  }
}

/** Interpolates and validates a parsed file; throws ApplyError listing every problem. */
export function validateDocument(raw: unknown, env: Environment): ApplyDocument {
  const interpolated = interpolate(raw ?? {}, env);
  const problems = interpolated.problems.map((problem) => `${problem.path}: ${problem.message}`);
  const parsed = applyDocumentSchema.safeParse(interpolated.value);
  if (!parsed.success) {
    // A value whose variable is missing is reported once, for the variable.
    const reported = new Set(interpolated.problems.map((problem) => problem.path));
    problems.push(
      ...formatIssues(parsed.error.issues).filter((line) => !reported.has(line.slice(0, line.indexOf(': ')))),
    );
  }
  if (problems.length > 0 || !parsed.success) throw new ApplyError(problems);
  return parsed.data;
}

export function loadDocument(text: string, fileName: string, env: Environment): ApplyDocument {
  return validateDocument(parseText(text, fileName), env);
}

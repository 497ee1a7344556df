/**
 * `${VAR}` substitution for `mailroom apply` files, so that credentials stay
 * out of the file and come from the environment. It runs on the parsed
 * document's string values (never on keys, never on the raw text), so a value
 * containing YAML or JSON syntax cannot change the document's structure.
 *
 * - `${NAME}` is replaced by the variable's value; NAME is letters, digits and
 *   underscores, not starting with a digit.
 * - `$${` stands for a literal `${`.
 * - A variable that is not set is an error naming it and where it is used; so
 *   is a `${` that does not form a valid reference.
 */

export type Environment = Readonly<Record<string, string | undefined>>;

export interface InterpolationProblem {
  /** where in the document, e.g. `emailServerProfiles[0].incomingPassword` */
  readonly path: string;
  readonly message: string;
}

export interface InterpolationResult<T> {
  readonly value: T;
  readonly problems: readonly InterpolationProblem[];
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}?/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A document path as people write it: `users[2].emailAddress`, `roles[0].privileges["mailbox:read"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment))
      text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text || '(document)';
}

/** Substitutes the references in one string. */
export function interpolateString(
  text: string,
  env: Environment,
  path = '(value)',
): { value: string; problems: InterpolationProblem[] } {
  const problems: InterpolationProblem[] = [];
  const value = text.replace(REFERENCE, (match, name: string | undefined) => {
    if (match === '$${') return '${';
    if (!match.endsWith('}')) {
      problems.push({ path, message: `unterminated \${ (write $\${ for a literal \${)` });
      return match;
    }
    const variable = (name ?? '').trim();
    if (!NAME.test(variable)) {
      problems.push({ path, message: `\${${name ?? ''}} is not a valid variable reference (use \${NAME})` });
      return match;
    }
    const found = env[variable];
    if (found === undefined) {
      problems.push({ path, message: `environment variable ${variable} is not set` });
      return match;
    }
    return found;
  });
  return { value, problems };
}

/** Substitutes references in every string of a parsed document; returns a new value. */
export function interpolate<T>(document: T, env: Environment): InterpolationResult<T> {
  const problems: InterpolationProblem[] = [];
  const walk = (value: unknown, path: PropertyKey[]): unknown => {
    if (typeof value === 'string') {
      const result = interpolateString(value, env, formatPath(path));
      problems.push(...result.problems);
      return result.value;
    }
    if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index]));
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, walk(item, [...path, key])]),
      );
    }
    return value;
  };
  return { value: walk(document, []) as T, problems };
}

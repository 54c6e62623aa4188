/**
 * Reads one CDK context key that holds a settings object (cdk.json, or `-c key='{...}'` on
 * the command line) and validates it with a zod schema, with messages that name the fields.
 */
import type * as z from 'zod';

export interface ContextObjectOptions {
  /** Why the key cannot be missing, e.g. "the Lambdas cannot start without it". */
  readonly missingReason: string;
  /** Problems to report for keys the schema does not know; default `unknown <keys>`. */
  readonly unknownKeys?: (keys: string[]) => string[];
}

export function parseContextObject<S extends z.ZodObject>(key: string, schema: S, raw: unknown, options: ContextObjectOptions): z.infer<S> {
  const fields = Object.keys(schema.shape);
  const example = `see docs/DEPLOY.md; fields: ${fields.join(', ')}`;
  let value = raw;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new Error(`Context "${key}" must be a JSON object (${example}).`);
    }
  }
  if (value === undefined || value === null) {
    throw new Error(`Context "${key}" is missing: ${options.missingReason} (${example}).`);
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`Context "${key}" must be an object (${example}).`);
  }
  const given = value as Record<string, unknown>;
  const optional = (field: string) => (schema.shape as Record<string, z.ZodType>)[field]!.safeParse(undefined).success;
  const missing = fields.filter((field) => (given[field] === undefined || given[field] === null) && !optional(field));
  const parsed = schema.safeParse(value);
  if (missing.length === 0 && parsed.success) return parsed.data;
  const unknownKeys = options.unknownKeys ?? ((keys: string[]) => [`unknown ${keys.join(', ')}`]);
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`missing ${missing.join(', ')}`);
  for (const issue of parsed.error?.issues ?? []) {
    const field = issue.path.join('.');
    if (missing.includes(field)) continue;
    if (issue.code === 'unrecognized_keys') problems.push(...unknownKeys(issue.keys));
    else problems.push(`${field} ${issue.message}`);
  }
  throw new Error(`Context "${key}" is invalid: ${problems.join('; ')}.`);
}

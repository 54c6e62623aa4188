/** Opaque list cursors: a DynamoDB LastEvaluatedKey, base64url-encoded JSON. */
import { ValidationError } from '../../domain/errors.js';

const keyNames = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'gsi4pk', 'gsi4sk']);

const invalid = () => new ValidationError([{ path: 'cursor', message: 'not a cursor from this API' }]);

export function encodeCursor(value: Record<string, unknown> | undefined): string | null {
  return value ? Buffer.from(JSON.stringify(value), 'utf8').toString('base64url') : null;
}

function decode(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
}

/** True for a table key as DynamoDB returns it: only key attributes, string values. */
function isTableKey(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.entries(value).every(([name, part]) => keyNames.has(name) && typeof part === 'string')
  );
}

/** A cursor that is one table key; anything else is a 422 naming `cursor`, never a 500. */
export function decodeCursor(cursor: string | undefined): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const value = decode(cursor);
  if (!isTableKey(value)) throw invalid();
  return value;
}

/** A cursor holding several named table keys (a query over more than one index). */
export function decodeCompositeCursor(cursor: string | undefined, names: readonly string[]): Record<string, Record<string, string> | undefined> & { done?: string[] } | undefined {
  if (cursor === undefined) return undefined;
  const value = decode(cursor) as Record<string, unknown>;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid();
  for (const [name, part] of Object.entries(value)) {
    if (name === 'done') {
      if (!Array.isArray(part) || !part.every((entry) => names.includes(entry as string))) throw invalid();
    } else if (!names.includes(name) || !isTableKey(part)) throw invalid();
  }
  return value as Record<string, Record<string, string> | undefined> & { done?: string[] };
}

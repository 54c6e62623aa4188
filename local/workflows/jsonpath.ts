/** A minimal JSONPath reference-path reader ($, $.a.b, $['a'], $.a[0]): what Wait and InputPath need. */

export class PathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'States.Runtime';
  }
}

export function parseReferencePath(path: string): (string | number)[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const segments: (string | number)[] = [];
  const re = /\.([A-Za-z0-9_@\-$:]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  let index = 1;
  while (index < path.length) {
    re.lastIndex = index;
    const m = re.exec(path);
    if (!m) return undefined;
    if (m[1] !== undefined) segments.push(m[1]);
    else if (m[2] !== undefined) segments.push(Number(m[2]));
    else if (m[3] !== undefined) segments.push(m[3]);
    else if (m[4] !== undefined) segments.push(m[4]);
    index = re.lastIndex;
  }
  return segments;
}

/** Reads a reference path; throws States.Runtime when the path is unsupported or does not resolve. */
export function readPath(path: string, value: unknown): unknown {
  const segments = parseReferencePath(path);
  if (!segments) throw new PathError(`unsupported JSONPath "${path}" (only reference paths are supported locally)`);
  let current: unknown = value;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object' || !(segment in (current as object))) {
      throw new PathError(`path "${path}" could not be found in the input`);
    }
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

/** InputPath semantics: undefined → whole input, null → {}. */
export function applyInputPath(inputPath: string | null | undefined, value: unknown): unknown {
  if (inputPath === undefined) return value;
  if (inputPath === null) return {};
  return readPath(inputPath, value);
}

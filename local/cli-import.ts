/**
 * What the import commands share (`npm run import-register`, `npm run import-payments`): the
 * command line (a file and `--url`), an admin token signed with the key of the stack that
 * answers there, calls to its API with problem+json refusals printed as a person reads them,
 * the upload (POST …/uploads, PUT of the bytes to the URL), and the wait for the server-side
 * job with a progress bar (counts, rate, ETA; off a terminal a line at most every 10 s, never
 * one per item).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { devKeys } from './dev-auth.js';
import { ProgressBar } from './progress.js';
import { registeredDataDir } from './stack-registry.js';

export interface ImportCommandLine {
  readonly file: string;
  /** The file's name, for the bar and the summary. */
  readonly name: string;
  readonly bytes: Buffer;
  /** The SHA-256 of the bytes, hex. */
  readonly sha256: string;
  /** The stack's base URL, no trailing slash. */
  readonly url: string;
  /** Import again even when this file was imported before. */
  readonly again: boolean;
}

/** A refusal: the HTTP status and the problem+json body (or the text the server sent). */
export class ApiRefusal extends Error {
  constructor(
    readonly what: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${what}: ${status}`);
  }
}

/** A usage error: exit 2 with the usage line. */
class UsageError extends Error {}

/** `<file> [--url U]`, and `--again` when the command takes it. */
export function readCommandLine(usage: string, options: { again: boolean }, args = process.argv.slice(2)): ImportCommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT ?? 3000}` },
        ...(options.again ? { again: { type: 'boolean', default: false } as const } : {}),
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${usage}`);
  }
  const [file, ...rest] = parsed.positionals;
  if (!file || rest.length > 0) throw new UsageError(usage);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new UsageError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n${usage}`);
  }
  return {
    file, name: basename(file), bytes, sha256: createHash('sha256').update(bytes).digest('hex'),
    url: String(parsed.values.url).replace(/\/+$/, ''), again: (parsed.values as { again?: boolean }).again === true,
  };
}

/**
 * The data folder whose key the stack at `url` checks tokens with: `DATA_DIR` when set (as
 * `npm start` takes it), else the folder the stack on that port registered, else `.data`.
 */
export function dataDirFor(url: string): string {
  if (process.env.DATA_DIR) return resolve(process.env.DATA_DIR);
  const parsed = new URL(url);
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  return registeredDataDir(port) ?? resolve('.data');
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** The stack's API with an admin token (the role that may import both files, API.md). */
export class StackApi {
  private constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  static async admin(url: string, subject: string): Promise<StackApi> {
    const keys = await devKeys(join(dataDirFor(url), 'dev-signing-key.json'));
    return new StackApi(url, await keys.sign({ role: 'admin', subject }));
  }

  /** One call; JSON in and out. A 4xx/5xx is an ApiRefusal unless its status is in `allow`. */
  async call(method: string, path: string, options: { body?: unknown; headers?: Record<string, string>; allow?: number[] } = {}): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await reach(this.url, () =>
      fetch(new URL(path, this.url), { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) }),
    );
    const answer = { status: response.status, headers: response.headers, body: await bodyOf(response) };
    if (response.status >= 400 && !(options.allow ?? []).includes(response.status)) throw new ApiRefusal(`${method} ${path}`, response.status, answer.body);
    return answer;
  }

  /** An upload URL from `uploadsPath`, the bytes PUT to it (no token: the URL is the permission): the uploadId. */
  async upload(uploadsPath: string, bytes: Buffer): Promise<string> {
    const created = (await this.call('POST', uploadsPath)).body as { uploadId: string; uploadUrl: string; method?: string; maxBytes?: number };
    if (created.maxBytes !== undefined && bytes.byteLength > created.maxBytes) {
      throw new ApiRefusal(`the upload`, 413, { title: 'File too large', detail: `The file is ${bytes.byteLength} bytes; an upload takes at most ${created.maxBytes}.` });
    }
    const put = await reach(this.url, () => fetch(created.uploadUrl, { method: created.method ?? 'PUT', body: bytes }));
    if (!put.ok) throw new ApiRefusal(`PUT ${new URL(created.uploadUrl).pathname}`, put.status, await bodyOf(put));
    return created.uploadId;
  }
}

/** A stack that does not answer is named with what to do, not a stack trace. */
async function reach(url: string, request: () => Promise<Response>): Promise<Response> {
  try {
    return await request();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new Unreachable(`No stack answers at ${url} (${cause}). Start it with \`npm start\`, or name it with --url.`);
  }
}

class Unreachable extends Error {}

async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

/** A problem+json refusal as lines a person reads: what was refused and why, then each field's error. */
export function problemLines(refusal: ApiRefusal, maxErrors = 10): string[] {
  const body = refusal.body as { title?: string; detail?: string; errors?: { path?: string; line?: number; message?: string }[] } | string | undefined;
  if (typeof body !== 'object' || body === null) {
    return [`${refusal.what} was refused: ${refusal.status}${body ? ` ${String(body).slice(0, 300)}` : ''}`];
  }
  const lines = [`${refusal.what} was refused: ${refusal.status} ${body.title ?? ''}`.trimEnd()];
  if (body.detail) lines.push(`  ${body.detail}`);
  const errors = Array.isArray(body.errors) ? body.errors : [];
  for (const error of errors.slice(0, maxErrors)) lines.push(`  ${error.path ?? (error.line !== undefined ? `line ${error.line}` : '')}: ${error.message ?? ''}`);
  if (errors.length > maxErrors) lines.push(`  … and ${errors.length - maxErrors} more`);
  return lines;
}

/** Where the bar stands: `done` of `total` (undefined: not known yet), and counts after it. */
export interface Standing {
  readonly done: number;
  readonly total?: number;
  readonly extra?: string;
}

export interface WatchOptions<T> {
  /** One read of the job (a GET). */
  readonly read: () => Promise<T>;
  readonly ended: (value: T) => boolean;
  readonly standing: (value: T) => Standing;
  readonly bar: Pick<ProgressBar, 'update' | 'finish'>;
  readonly everyMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Reads the job every `everyMs` (500) until it has ended, the bar updated after each read and finished at the end. */
export async function watch<T>(options: WatchOptions<T>): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  for (;;) {
    const value = await options.read();
    const { done, total, extra } = options.standing(value);
    if (options.ended(value)) {
      options.bar.finish(done, total, extra);
      return value;
    }
    options.bar.update(done, total, extra);
    await sleep(options.everyMs ?? 500);
  }
}

/** A bar for a command's job, on stderr (the summary goes to stdout). */
export function jobBar(label: string, unit: string): ProgressBar {
  return new ProgressBar(label, { unit, stream: process.stderr });
}

/**
 * Runs a command: its exit code, or 1 with the refusal printed (2 for a usage error). Ctrl-C
 * while it waits says that the job goes on in the stack.
 */
export function runCommand(main: () => Promise<number>, interrupted: string): void {
  process.once('SIGINT', () => {
    process.stderr.write(`\n${interrupted}\n`);
    process.exit(130);
  });
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (process.stderr.isTTY) process.stderr.write('\n');
      if (error instanceof ApiRefusal) for (const line of problemLines(error)) console.error(line);
      else if (error instanceof UsageError || error instanceof Unreachable) console.error(error.message);
      else console.error(error);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}

export const plural = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString('en')} ${count === 1 ? one : many}`;

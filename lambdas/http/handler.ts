/**
 * Builds the Lambda handler of one route group: find the route by the event's route
 * key, authorise, parse and validate with the route's zod schemas, call the operation,
 * and map every error to problem+json in the one error middleware (last in `.use()`).
 */
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { Logger } from '@aws-lambda-powertools/logger';
import { ValidationError, type FieldError } from '../domain/errors.js';
import { loadConfig } from '../adapters/config.js';
import { documentClient } from '../adapters/dynamo/client.js';
import { observabilityMiddlewares } from '../adapters/observability.js';
import { IdempotencyStore } from '../adapters/dynamo/idempotency-store.js';
import { authorize, type Principal } from './principal.js';
import { HttpProblem, problemResponse, toProblem } from './problem.js';
import { routeKey, routesOfGroup, takesIdempotencyKey, type RouteDefinition, type RouteGroup } from './routes.js';

export interface OperationInput {
  readonly principal: Principal | undefined;
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: unknown;
  readonly body: unknown;
  /** The request body as bytes, for routes with `rawBody`. */
  readonly bytes?: Buffer;
  /** The caller's address as API Gateway saw it (rate limits by client). */
  readonly sourceIp: string;
  /** The `Idempotency-Key` header of a creating POST, if sent (jobs derive their id from it). */
  readonly idempotencyKey?: string;
}

export interface OperationResult {
  readonly body?: unknown;
  /** A body sent as is (e.g. XML), with its content-type in `headers`. */
  readonly rawBody?: string;
  /** `rawBody` is base64 (binary content such as a PDF). */
  readonly base64?: boolean;
  readonly status?: number;
  readonly headers?: Record<string, string>;
}

export type Operation = (input: OperationInput) => Promise<OperationResult>;

/** Personal data never reaches the logs: no bodies, no query strings, no path values. */
export const logger = new Logger({ serviceName: 'nordic-utility-service' });

export function zodErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return { path: [...issue.path.map(String), ...issue.keys].join('.') || '(root)', message: 'unknown field' };
    }
    return { path: path || '(root)', message: issue.message };
  });
}

function idempotencyKeyOf(event: APIGatewayProxyEventV2): string | undefined {
  const key = event.headers?.['idempotency-key'] ?? event.headers?.['Idempotency-Key'];
  if (key === undefined) return undefined;
  if (key.length < 1 || key.length > 255) throw new ValidationError([{ path: 'Idempotency-Key', message: 'between 1 and 255 characters' }]);
  return key;
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(zodErrors(parsed.error));
  return parsed.data;
}

function readBody(event: APIGatewayProxyEventV2, maxBytes: number): unknown {
  if (event.body === undefined || event.body === null || event.body === '') {
    throw new ValidationError([{ path: '(body)', message: 'a JSON body is required' }]);
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > maxBytes) {
    throw new HttpProblem(413, 'payload-too-large', 'Payload too large', `The body may be at most ${maxBytes} bytes.`);
  }
  const contentType = event.headers['content-type'] ?? event.headers['Content-Type'] ?? '';
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(contentType)) {
    throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', 'Send the body as application/json.');
  }
  const text = decodeText(raw, contentType);
  let value: unknown;
  try {
    value = JSON.parse(text.text) as unknown;
  } catch {
    throw new HttpProblem(400, 'malformed-json', 'Malformed JSON', 'The body is not valid JSON.', [
      { path: '(body)', message: 'not valid JSON' },
    ]);
  }
  // Text is stored as sent or not at all: never a replacement character for bytes that were not
  // UTF-8, nor a lone surrogate (a "\ud800" escape) that no encoding can carry.
  const broken = brokenText(value, text.lossy);
  if (broken.length > 0 || text.lossy) {
    throw new ValidationError(
      broken.length > 0 ? broken : [{ path: '(body)', message: 'the body is not valid UTF-8' }],
      'A text field is not valid text.',
    );
  }
  return value;
}

/**
 * The body's text in the charset its content-type names (UTF-8 when it names none, as JSON is);
 * a charset this runtime cannot decode is a 415. `lossy`: the bytes were not valid in it.
 */
function decodeText(raw: Buffer, contentType: string): { text: string; lossy: boolean } {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1]?.toLowerCase() ?? 'utf-8';
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', `The charset "${charset}" is not supported: send UTF-8.`);
  }
  try {
    return { text: decoder.decode(raw), lossy: false };
  } catch {
    return { text: new TextDecoder(charset).decode(raw), lossy: true };
  }
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The paths of strings that hold a lone surrogate, or (after lossy decoding) a replacement character. */
function brokenText(value: unknown, lossy: boolean, path: string[] = []): FieldError[] {
  const at = () => path.join('.') || '(root)';
  if (typeof value === 'string') {
    if (loneSurrogate.test(value)) return [{ path: at(), message: 'contains a lone surrogate (not valid Unicode text)' }];
    if (lossy && value.includes('\uFFFD')) return [{ path: at(), message: 'is not valid UTF-8 (bytes that are no text)' }];
    return [];
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => brokenText(item, lossy, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [
      ...(!loneSurrogate.test(key) ? [] : [{ path: [...path, key].join('.'), message: 'the field name is not valid Unicode text' }]),
      ...brokenText(item, lossy, [...path, key]),
    ]);
  }
  return [];
}

/** The body's media type, lower case, without parameters (`text/csv; charset=utf-8` → `text/csv`). */
function mediaTypeOf(event: APIGatewayProxyEventV2): string {
  return (event.headers['content-type'] ?? event.headers['Content-Type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** `application/json` or a `+json` type: what readBody parses. */
const isJsonMediaType = (mediaType: string) => /^application\/([\w.+-]*\+)?json$/.test(mediaType);

/**
 * A route with both a JSON `body` and a `rawBody` takes either: a JSON media type is parsed and
 * validated with the route's schema, any other is handed over as bytes (or refused with 415).
 */
function takesJson(event: APIGatewayProxyEventV2, route: RouteDefinition): boolean {
  if (!route.body) return false;
  return !route.rawBody || isJsonMediaType(mediaTypeOf(event));
}

function readRawBody(event: APIGatewayProxyEventV2, accepted: NonNullable<RouteDefinition['rawBody']>, alsoJson = false): Buffer {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8')) : Buffer.alloc(0);
  if (raw.byteLength > accepted.maxBytes) {
    throw new HttpProblem(413, 'payload-too-large', 'Payload too large', `The body may be at most ${accepted.maxBytes} bytes.`);
  }
  if (!accepted.mediaTypes.includes(mediaTypeOf(event))) {
    const types = alsoJson ? [...accepted.mediaTypes, 'application/json'] : accepted.mediaTypes;
    throw new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', `Send the body as ${types.join(' or ')}.`);
  }
  if (raw.byteLength === 0) throw new ValidationError([{ path: '(body)', message: 'the file is empty' }]);
  return raw;
}

let store: IdempotencyStore | undefined;
/** Built on the first request that carries a key (most requests never need it). */
function idempotencyStore(): IdempotencyStore {
  if (!store) {
    const config = loadConfig();
    store = new IdempotencyStore(documentClient(config), config.TABLE_NAME);
  }
  return store;
}

export interface GroupHandlerOptions {
  readonly maxBodyBytes: number;
}

export function groupHandler(
  group: RouteGroup,
  operations: Record<string, Operation>,
  options: GroupHandlerOptions,
) {
  const table = new Map<string, RouteDefinition>(routesOfGroup(group).map((route) => [routeKey(route), route]));
  for (const route of table.values()) {
    if (!operations[route.operationId]) throw new Error(`No operation for ${route.operationId}`);
  }

  const core = async (event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const route = table.get(event.routeKey);
    if (!route) throw new HttpProblem(404, 'not-found', 'Not found', 'No such route.');
    const principal = authorize(event, route);
    const key = takesIdempotencyKey(route) ? idempotencyKeyOf(event) : undefined;
    if (key === undefined) return run(event, route, principal);
    // The same key from the same caller on the same path: the first answer again; another body: 422.
    const scope = `${principal?.subject ?? ''}\n${route.method} ${event.rawPath ?? event.requestContext?.http?.path ?? route.path}\n${key}`;
    const request = event.body ? `${event.isBase64Encoded ? 'b64' : 'txt'}:${event.body}` : '';
    const store = idempotencyStore();
    const begun = await store.begin(scope, request, Date.now(), context?.getRemainingTimeInMillis?.() ?? 30_000);
    if (begun.kind === 'replay') return { ...begun.response, headers: { ...begun.response.headers, 'idempotent-replayed': 'true' } };
    if (begun.kind === 'mismatch') {
      throw new ValidationError([{ path: 'Idempotency-Key', message: 'used before with a different request; use a new key' }], 'This Idempotency-Key was used with another request.');
    }
    if (begun.kind === 'in_progress') throw new HttpProblem(409, 'conflict', 'Conflict', 'A request with this Idempotency-Key is still being processed; try again shortly.');
    let response: APIGatewayProxyStructuredResultV2;
    try {
      response = await run(event, route, principal);
    } catch (error) {
      await store.release(scope);
      throw error;
    }
    await store.complete(scope, response);
    return response;
  };

  const run = async (event: APIGatewayProxyEventV2, route: RouteDefinition, principal: Principal | undefined): Promise<APIGatewayProxyStructuredResultV2> => {
    const query = route.query ? parseWith(route.query, event.queryStringParameters ?? {}) : undefined;
    const json = takesJson(event, route);
    const body = json ? parseWith(route.body!, readBody(event, options.maxBodyBytes)) : undefined;
    const bytes = route.rawBody && !json ? readRawBody(event, route.rawBody, route.body !== undefined) : undefined;
    const operation = operations[route.operationId]!;
    const result = await operation({
      principal,
      params: event.pathParameters ?? {},
      query,
      body,
      ...(bytes ? { bytes } : {}),
      sourceIp: event.requestContext?.http?.sourceIp ?? 'unknown',
      ...(idempotencyKeyOf(event) ? { idempotencyKey: idempotencyKeyOf(event)! } : {}),
    });
    const status = result.status ?? route.successStatus;
    if (status === 204) return { statusCode: 204, headers: { ...result.headers } };
    return {
      statusCode: status,
      headers: { 'content-type': 'application/json', ...result.headers },
      body: result.rawBody ?? JSON.stringify(result.body ?? {}),
      ...(result.base64 ? { isBase64Encoded: true } : {}),
    };
  };

  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    // In Lambda: the X-Ray handler subsegment, and the business metrics the request counted
    // flushed after it answered (or failed). Outside Lambda, none.
    .use(observabilityMiddlewares() as MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>[])
    .use({
      // Last in `.use()`: maps every error, domain or not, to problem+json.
      onError: async (request) => {
        const body = toProblem(request.error);
        if (body.status >= 500) {
          // The route key (a template) and the error class only: never values.
          logger.error('request failed', { routeKey: request.event.routeKey, error: request.error?.name });
        }
        request.response = problemResponse(body);
      },
    })
    .handler(core);
}

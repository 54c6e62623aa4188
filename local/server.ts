/**
 * The embedded stack's HTTP front door. For each request it does what API Gateway's
 * HTTP API does in AWS: match the route table, verify the JWT, build the v2 event and
 * call the route group's handler (the same module CDK deploys). `/_local/` controls
 * exist only here.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { awsLimits, httpFunctionSettings, type FunctionSettings } from '../lib/function-settings.js';
import { routeKey, routes, type RouteDefinition, type RouteGroup } from '../lambdas/http/routes.js';
import { problemResponse, problemTypeBase } from '../lambdas/http/problem.js';
import { authorizerClaims, type DevKeys } from './dev-auth.js';
import { durationMs, type LocalClock } from './clock.js';
import { invokeLocal, LambdaPayloadTooLargeError, type LocalFunction } from './lambda-runtime.js';

export type GroupHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface CorsSettings {
  readonly allowOrigins: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly allowMethods: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds: number;
}

/** What the `/_local/` controls reach beside the clock. */
export interface LocalControls {
  outbox(since?: string): Promise<unknown[]>;
  fireSchedule(name: string): Promise<{ found: boolean; result?: unknown }>;
  /** Due waits and schedules follow the clock: called after every move. */
  clockMoved(): Promise<void>;
  /**
   * Moves the clock forward to `target` through every due wait and daily job on the way, in
   * time order, each with the clock at its own time (months pass in one request).
   */
  moveClockTo?(target: Date): Promise<void>;
  executions(): Promise<unknown[]>;
  /** One execution by name, with its event history; undefined when there is none. */
  execution(name: string): Promise<unknown | undefined>;
  /** `GET /_local/outbox` and `GET /_local/outbox/{id}/content` (local/delivery.ts); undefined: not its path. */
  outboxRoute?(method: string, path: string, url: URL): Promise<APIGatewayProxyStructuredResultV2 | undefined>;
  /** `PUT /_local/uploads/…` and `/_local/register-uploads/…`: a signed upload URL (local/payment-uploads.ts); reads the body itself. */
  upload?(method: string, url: URL, req: IncomingMessage): Promise<APIGatewayProxyStructuredResultV2>;
}

export interface LocalServerOptions {
  readonly handlers: Record<RouteGroup, GroupHandler>;
  readonly controls: LocalControls;
  readonly keys: DevKeys;
  readonly clock: LocalClock;
  readonly cors: CorsSettings;
  /** The 401 detail for a token signed with another key (e.g. made for another data folder). */
  readonly tokenHint?: string;
  /** One line per request; never the query string or personal data. */
  readonly log?: (line: string) => void;
  /** Each route group's function timeout and memory. @default what CDK deploys (lib/function-settings.ts) */
  readonly functionSettings?: (group: RouteGroup) => FunctionSettings;
  /** API Gateway's integration timeout. @default 30 s (awsLimits.httpApiIntegrationTimeoutMs) */
  readonly integrationTimeoutMs?: number;
}

/** API Gateway HTTP API's payload limit; handlers apply their own, smaller one. */
const gatewayMaxBodyBytes = awsLimits.httpApiMaxRequestBytes;

interface CompiledRoute {
  readonly route: RouteDefinition;
  readonly pattern: RegExp;
  readonly names: string[];
}

function compile(route: RouteDefinition): CompiledRoute {
  const names: string[] = [];
  const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_match, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), names };
}

/** Paths in the request log: phone-like segments are masked (they are personal data). */
export function redactPath(path: string): string {
  return path
    .split('/')
    .map((segment) => (/^(%2B|\+)?\d[\d\s%-]{5,}$/i.test(segment) ? '***' : segment))
    .join('/');
}

/**
 * Bodies API Gateway hands over as text; everything else arrives base64-encoded, bytes
 * intact. CSV stays bytes here so that a Latin-1 register file is not mangled by UTF-8.
 */
function isTextual(contentType: string): boolean {
  return /^(text\/(?!csv|plain)|application\/([\w.+-]*\+)?(json|xml)\b|application\/x-www-form-urlencoded)/i.test(contentType);
}

/**
 * A textual body goes to the handler as text only when it is UTF-8 (no other charset named, and
 * the bytes valid): anything else goes as bytes (base64), so the handler decodes it by its
 * charset or refuses it, instead of receiving replacement characters.
 */
function isUtf8Text(body: Buffer, contentType: string): boolean {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1]?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > gatewayMaxBodyBytes) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function createLocalServer(options: LocalServerOptions): Server {
  const compiled = routes.map(compile);
  const log = options.log ?? ((line: string) => console.log(line));

  const send = (res: ServerResponse, result: APIGatewayProxyStructuredResultV2, extraHeaders: Record<string, string>) => {
    const headers: Record<string, string | number | boolean> = { ...extraHeaders, ...(result.headers ?? {}) };
    res.writeHead(result.statusCode ?? 200, headers as Record<string, string>);
    const body = result.body ?? '';
    res.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
  };

  const corsHeaders = (origin: string | undefined): Record<string, string> => {
    if (!origin || !options.cors.allowOrigins.includes(origin)) return {};
    return {
      'access-control-allow-origin': origin,
      vary: 'origin',
      ...(options.cors.exposeHeaders.length > 0 ? { 'access-control-expose-headers': options.cors.exposeHeaders.join(',') } : {}),
    };
  };

  const json = (status: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
    statusCode: status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const problem = (status: number, slug: string, title: string, detail: string, errors?: { path: string; message: string }[]) =>
    problemResponse({ type: problemTypeBase + slug, title, status, detail, ...(errors ? { errors } : {}) });

  /**
   * The Lambda integration as API Gateway runs it: the function's own timeout (its invocation
   * fails: 500) and the integration's 30 s (503), whichever comes first; an event over Lambda's
   * 6 MB never reaches the function (413); a failed invocation (an error, a timeout, a response
   * over 6 MB) is API Gateway's 500. API Gateway's bodies are `{"message":"Service Unavailable"}`
   * and `{"message":"Internal Server Error"}`: here problem+json with the same status.
   */
  async function integrate(fn: LocalFunction, handler: GroupHandler, event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
    const invocation = invokeLocal(fn, handler, event, { sync: true });
    invocation.catch(() => undefined); // settled below, or ignored after the integration gave up
    let timer: NodeJS.Timeout | undefined;
    const gatewayGivesUp = new Promise<'integration-timeout'>((resolve) => {
      timer = setTimeout(() => resolve('integration-timeout'), options.integrationTimeoutMs ?? awsLimits.httpApiIntegrationTimeoutMs);
    });
    try {
      const outcome = await Promise.race([invocation, gatewayGivesUp]);
      if (outcome === 'integration-timeout') {
        log(`${fn.name}: the integration timed out`);
        return problem(503, 'service-unavailable', 'Service unavailable', 'The request took too long; try again.');
      }
      return outcome;
    } catch (error) {
      if (error instanceof LambdaPayloadTooLargeError && error.which === 'request') {
        return problem(413, 'payload-too-large', 'Payload too large', 'The request is larger than the API accepts.');
      }
      log(`${fn.name}: invocation failed (${(error as Error)?.name ?? 'error'})`);
      return problem(500, 'internal', 'Internal error', 'Something went wrong on our side.');
    } finally {
      clearTimeout(timer);
    }
  }

  async function localControl(method: string, path: string, body: Buffer, url: URL): Promise<APIGatewayProxyStructuredResultV2> {
    if (path === '/_local/clock') {
      if (method === 'GET') return json(200, { now: options.clock.now().toISOString() });
      if (method === 'POST') {
        let input: { advance?: unknown; set?: unknown };
        let target: Date;
        try {
          input = JSON.parse(body.toString('utf8') || '{}') as typeof input;
        } catch {
          return problem(400, 'malformed-json', 'Malformed JSON', 'The body is not valid JSON.');
        }
        if (typeof input.advance === 'string') {
          const ms = durationMs(input.advance, options.clock.now());
          if (ms === undefined || ms < 0) {
            return problem(422, 'validation-error', 'Invalid request', 'advance must be an ISO-8601 duration such as P14D.', [
              { path: 'advance', message: 'not an ISO-8601 duration (e.g. P14D, PT6H)' },
            ]);
          }
          target = new Date(options.clock.now().getTime() + ms);
        } else if (typeof input.set === 'string' && !Number.isNaN(Date.parse(input.set)) && /^\d{4}-\d{2}-\d{2}T/.test(input.set)) {
          target = new Date(input.set);
        } else {
          return problem(422, 'validation-error', 'Invalid request', 'Give { advance: "P14D" } or { set: "2027-01-31T08:00:00Z" }.', [
            { path: 'advance', message: 'give advance (ISO-8601 duration) or set (ISO-8601 time)' },
          ]);
        }
        if (options.controls.moveClockTo && target > options.clock.now()) {
          await options.controls.moveClockTo(target);
        } else {
          options.clock.set(target);
          await options.controls.clockMoved();
        }
        return json(200, { now: options.clock.now().toISOString() });
      }
    }
    if (path === '/_local/sms' && method === 'GET') {
      const since = url.searchParams.get('since');
      if (since !== null && Number.isNaN(Date.parse(since))) {
        return problem(422, 'validation-error', 'Invalid request', 'since must be an ISO-8601 time.', [{ path: 'since', message: 'not a time' }]);
      }
      return json(200, { items: await options.controls.outbox(since === null ? undefined : new Date(since).toISOString()) });
    }
    if (path.startsWith('/_local/outbox') && options.controls.outboxRoute) {
      const answered = await options.controls.outboxRoute(method, path, url);
      if (answered) return answered;
    }
    if (path === '/_local/executions' && method === 'GET') return json(200, { items: await options.controls.executions() });
    const execution = /^\/_local\/executions\/([^/]+)$/.exec(path);
    if (execution && method === 'GET') {
      const found = await options.controls.execution(decodeURIComponent(execution[1]!));
      return found ? json(200, found) : problem(404, 'not-found', 'Not found', 'No such execution.');
    }
    const schedule = /^\/_local\/schedules\/([^/]+)\/fire$/.exec(path);
    if (schedule && method === 'POST') {
      const fired = await options.controls.fireSchedule(decodeURIComponent(schedule[1]!));
      if (!fired.found) return problem(404, 'not-found', 'Not found', 'No schedule by that name.');
      return json(200, { fired: schedule[1], result: fired.result ?? null });
    }
    return problem(404, 'not-found', 'Not found', 'No such local control.');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const origin = req.headers.origin;
    const cors = corsHeaders(origin);

    if (method === 'OPTIONS' && origin && req.headers['access-control-request-method']) {
      if (!options.cors.allowOrigins.includes(origin)) {
        res.writeHead(204).end();
        return 204;
      }
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': options.cors.allowMethods.join(','),
        'access-control-allow-headers': options.cors.allowHeaders.join(','),
        'access-control-max-age': String(options.cors.maxAgeSeconds),
      });
      res.end();
      return 204;
    }

    // Upload URLs stream their body to the file store: files may be larger than API Gateway's limit.
    if ((path.startsWith('/_local/uploads/') || path.startsWith('/_local/register-uploads/')) && options.controls.upload) {
      const result = await options.controls.upload(method, url, req);
      send(res, result, cors);
      return result.statusCode ?? 200;
    }

    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      send(res, problem(413, 'payload-too-large', 'Payload too large', 'The body is larger than the API accepts.'), { ...cors, connection: 'close' });
      return 413;
    }

    if (path.startsWith('/_local/')) {
      const result = await localControl(method, path, body, url);
      send(res, result, cors);
      return result.statusCode ?? 200;
    }

    let match: { route: RouteDefinition; params: Record<string, string> } | undefined;
    let pathKnown = false;
    for (const candidate of compiled) {
      const found = candidate.pattern.exec(path);
      if (!found) continue;
      pathKnown = true;
      if (candidate.route.method !== method) continue;
      let params: Record<string, string>;
      try {
        params = Object.fromEntries(candidate.names.map((name, i) => [name, decodeURIComponent(found[i + 1]!)]));
      } catch {
        continue; // a malformed %-escape matches no route
      }
      match = { route: candidate.route, params };
      break;
    }
    if (!match) {
      const result = pathKnown
        ? problem(405, 'method-not-allowed', 'Method not allowed', `${method} is not allowed on this path.`)
        : problem(404, 'not-found', 'Not found', 'No such route.');
      send(res, result, cors);
      return result.statusCode!;
    }

    const { route, params } = match;
    let claims: Record<string, string> | undefined;
    if (route.access !== 'public') {
      const header = req.headers.authorization ?? '';
      const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      try {
        if (!token) throw new Error('missing');
        claims = authorizerClaims(await options.keys.verify(token));
      } catch (error) {
        // A well-formed token this stack did not sign: most often made for another data folder.
        const otherKey = (error as { code?: string })?.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED';
        const detail = otherKey && options.tokenHint ? options.tokenHint : 'A valid bearer token is required.';
        send(res, problem(401, 'unauthorized', 'Unauthorized', detail), {
          ...cors,
          'www-authenticate': 'Bearer',
        });
        return 401;
      }
    }

    const contentType = req.headers['content-type'] ?? '';
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
    }
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
    const now = new Date();
    const key = routeKey(route);
    const event = {
      version: '2.0',
      routeKey: key,
      rawPath: path,
      rawQueryString: url.search.slice(1),
      headers,
      ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
      ...(Object.keys(params).length > 0 ? { pathParameters: params } : {}),
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: headers.host ?? 'localhost',
        domainPrefix: 'localhost',
        http: { method, path, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
        requestId: randomUUID(),
        routeKey: key,
        stage: '$default',
        time: now.toISOString(),
        timeEpoch: now.getTime(),
        ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
      },
      ...(body.length > 0
        ? isTextual(contentType) && isUtf8Text(body, contentType)
          ? { body: body.toString('utf8'), isBase64Encoded: false }
          : { body: body.toString('base64'), isBase64Encoded: true }
        : { isBase64Encoded: false }),
    } as unknown as APIGatewayProxyEventV2;

    const fn = { name: `local-${route.group}`, settings: (options.functionSettings ?? httpFunctionSettings)(route.group) };
    const result = await integrate(fn, options.handlers[route.group], event);
    send(res, result, cors);
    return result.statusCode ?? 200;
  }

  return createServer((req, res) => {
    const started = performance.now();
    const path = redactPath((req.url ?? '/').split('?')[0] ?? '/');
    handle(req, res)
      .then((status) => log(`${req.method} ${path} ${status} ${(performance.now() - started).toFixed(1)}ms`))
      .catch((error: unknown) => {
        log(`${req.method} ${path} 500 ${(performance.now() - started).toFixed(1)}ms (${(error as Error)?.name ?? 'error'})`);
        if (!res.headersSent) send(res, problem(500, 'internal', 'Internal error', 'Something went wrong on our side.'), {});
        else res.end();
      });
  });
}

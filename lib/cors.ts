/**
 * The one CORS policy: the HTTP API's preflight configuration (CustomerApi) and the
 * embedded stack answer browsers the same way. Origins differ per environment and come
 * from the CDK context key `corsOrigins` (cdk.json, or `-c corsOrigins=...`).
 *
 * No aws-cdk-lib import here: the embedded stack imports this module at run time.
 */
import { routes, type Method } from '../lambdas/http/routes.js';

export interface CorsPolicy {
  readonly allowHeaders: readonly string[];
  /** Exactly the methods of the route table. */
  readonly allowMethods: readonly Method[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds: number;
}

const methodOrder: readonly Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export const corsPolicy: CorsPolicy = {
  allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key'],
  allowMethods: methodOrder.filter((method) => routes.some((route) => route.method === method)),
  // Location: where a 201 put the new resource; apigw-requestid: what a caller quotes to support.
  exposeHeaders: ['Location', 'apigw-requestid', 'Idempotent-Replayed'],
  maxAgeSeconds: 3600,
};

export const corsOriginsContextKey = 'corsOrigins';

/** Anything with a construct node (an App, Stack or Construct) without importing `constructs`. */
export interface ContextSource {
  readonly node: { tryGetContext(key: string): unknown };
}

/**
 * Reads `corsOrigins` from the CDK context: a JSON array in cdk.json, or from the
 * command line a JSON array string or a comma-separated list. Each entry must be an
 * origin (scheme://host[:port], https only except localhost); no wildcard, no path.
 */
export function corsOriginsFromContext(scope: ContextSource): string[] {
  const raw = scope.node.tryGetContext(corsOriginsContextKey);
  return parseCorsOrigins(raw);
}

export function parseCorsOrigins(raw: unknown): string[] {
  let values: unknown = raw;
  if (typeof values === 'string') {
    const trimmed = values.trim();
    values = trimmed.startsWith('[') ? JSON.parse(trimmed) : trimmed.split(',');
  }
  if (!Array.isArray(values) || values.length === 0) {
    throw new Error(`Context "${corsOriginsContextKey}" must be a non-empty list of origins, e.g. ["https://minasidor.example.se"].`);
  }
  const origins = values.map((value) => {
    if (typeof value !== 'string') throw new Error(`Context "${corsOriginsContextKey}": every origin must be a string.`);
    const origin = value.trim();
    if (origin.includes('*')) throw new Error(`Context "${corsOriginsContextKey}": "${origin}" may not contain a wildcard.`);
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new Error(`Context "${corsOriginsContextKey}": "${origin}" is not an origin.`);
    }
    const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
    if (url.protocol !== 'https:' && !(local && url.protocol === 'http:')) {
      throw new Error(`Context "${corsOriginsContextKey}": "${origin}" must use https.`);
    }
    if (url.origin !== origin) {
      throw new Error(`Context "${corsOriginsContextKey}": "${origin}" must be a bare origin (${url.origin}), without path.`);
    }
    return origin;
  });
  return [...new Set(origins)];
}

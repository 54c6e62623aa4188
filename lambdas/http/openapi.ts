/**
 * openapi.json, generated from the route table and its zod schemas (`npm run openapi`).
 * A test fails when the committed file is stale.
 */
import * as z from 'zod';
import { takesIdempotencyKey, routes, type RouteDefinition } from './routes.js';

type Json = Record<string, unknown>;

const problemSchema: Json = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    rule: { type: 'string', description: 'The DOMAIN.md rule that refused the request, e.g. R-SE-6' },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Json {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as Json;
}

function problemResponse(description: string): Json {
  return { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
}

function operation(route: RouteDefinition): Json {
  const parameters: Json[] = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (takesIdempotencyKey(route)) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description:
        'Makes a retry safe: the same key with the same request (same caller and path) answers the first response again (with `Idempotent-Replayed: true`) for 24 hours; with another body 422; while the first is still running 409.',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    });
  }
  if (route.query) {
    const query = jsonSchema(route.query) as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
    }
  }
  const responses: Json = {
    [String(route.successStatus)]: { description: 'Success', content: { 'application/json': { schema: { type: 'object' } } } },
    ...Object.fromEntries((route.alsoSucceedsWith ?? []).map((status) => [
      String(status), { description: status === 202 ? 'Accepted: a job (its Location)' : 'Success', content: { 'application/json': { schema: { type: 'object' } } } },
    ])),
    '400': problemResponse('Malformed request'),
    '422': problemResponse('A field fails its schema, checksum or a business rule'),
  };
  if (route.access !== 'public') {
    responses['401'] = problemResponse('Missing or invalid token');
    responses['403'] = problemResponse('The role may not do this');
  }
  if (route.path.includes('{')) responses['404'] = problemResponse('Unknown id');
  if ((route.method === 'POST' || route.method === 'PATCH') && route.access !== 'public') {
    responses['409'] = problemResponse('Duplicate or concurrent change');
    responses['413'] = problemResponse('Body too large');
  }
  responses['429'] = problemResponse('Rate limit');
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.group],
    ...(route.access === 'public'
      ? { security: [] }
      : { 'x-roles': route.access, ...(route.customerOwnOnly ? { 'x-customer-own-only': true } : {}) }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body || route.rawBody
      ? {
          requestBody: {
            required: true,
            content: {
              ...(route.body ? { 'application/json': { schema: jsonSchema(route.body) } } : {}),
              ...Object.fromEntries((route.rawBody?.mediaTypes ?? []).map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
            },
          },
        }
      : {}),
    responses,
  };
}

export function buildOpenApiDocument(): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    paths[route.path] = { ...(paths[route.path] ?? {}), [route.method.toLowerCase()]: operation(route) };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Nordic utility customer service API',
      version: '1.0.0',
      description: 'Customers, facilities, billing, dunning and outage alerts for municipal utilities. Errors are RFC 9457 problem+json.',
    },
    servers: [{ url: 'http://localhost:3000', description: 'Embedded stack (npm start)' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: problemSchema },
    },
  };
}

export function renderOpenApi(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}

/**
 * Who is calling: read from the JWT claims API Gateway's authorizer passes on
 * (`cognito:groups`, `custom:customerId`, `sub`). The embedded stack verifies its dev
 * tokens and fills the same place in the event.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { roles, type Role, type RouteDefinition } from './routes.js';
import { HttpProblem } from './problem.js';

export interface Principal {
  readonly subject: string;
  /** The role this request acts in: the most privileged of the caller's groups the route allows. */
  readonly role: Role;
  readonly customerId?: string;
  /** The token's phone (`phone_number`), only when `phone_number_verified` is true. */
  readonly verifiedPhone?: string;
}

type JwtEvent = APIGatewayProxyEventV2 & {
  requestContext: { authorizer?: { jwt?: { claims?: Record<string, string | number | boolean | string[]> } } };
};

const privilege: readonly Role[] = ['admin', 'agent', 'ops', 'customer'];

/**
 * HTTP APIs pass array claims as a string like `[agent admin]`; Cognito's ID token as a
 * JSON array. Accept both, and a single bare group.
 */
export function parseGroups(claim: unknown): Role[] {
  let values: string[] = [];
  if (Array.isArray(claim)) values = claim.map(String);
  else if (typeof claim === 'string') {
    const trimmed = claim.trim();
    if (trimmed.startsWith('[') && trimmed.endsWith(']')) {
      const inner = trimmed.slice(1, -1);
      try {
        const parsed: unknown = JSON.parse(trimmed);
        values = Array.isArray(parsed) ? parsed.map(String) : [];
      } catch {
        values = inner.split(/[\s,]+/);
      }
    } else values = trimmed.split(/[\s,]+/);
  }
  return values.filter((value): value is Role => (roles as readonly string[]).includes(value));
}

const unauthorized = () =>
  new HttpProblem(401, 'unauthorized', 'Unauthorized', 'A valid bearer token is required.');

/**
 * The token must be a Cognito ID token with an expiry. API Gateway's JWT authorizer checks the
 * signature, issuer, audience and `exp`; it also lets a Cognito ACCESS token through when its
 * `client_id` is an allowed audience, but an access token carries neither `custom:customerId`
 * nor `phone_number_verified` (Cognito puts custom attributes in ID tokens only), so this
 * service refuses it with a 401 that says which token to send.
 */
function checkToken(claims: Record<string, unknown>): void {
  if (claims.exp === undefined || claims.exp === '' || !Number.isFinite(Number(claims.exp))) {
    throw new HttpProblem(401, 'unauthorized', 'Unauthorized', 'The token has no expiry (exp): send a token that expires.');
  }
  if (claims.token_use !== 'id') {
    throw new HttpProblem(
      401,
      'unauthorized',
      'Unauthorized',
      claims.token_use === 'access'
        ? 'This is a Cognito access token: send the ID token (it carries custom:customerId and phone_number_verified).'
        : 'The token is not a Cognito ID token (token_use "id"): send the ID token.',
    );
  }
}

/** Resolves the principal for a non-public route, or throws 401/403 problems. */
export function authorize(event: APIGatewayProxyEventV2, route: RouteDefinition): Principal | undefined {
  if (route.access === 'public') return undefined;
  const claims = (event as JwtEvent).requestContext.authorizer?.jwt?.claims;
  if (!claims || typeof claims.sub !== 'string') throw unauthorized();
  checkToken(claims);
  const groups = parseGroups(claims['cognito:groups']);
  const allowed = route.access;
  const role = privilege.find((candidate) => groups.includes(candidate) && allowed.includes(candidate));
  if (!role) {
    throw new HttpProblem(403, 'forbidden', 'Forbidden', 'Your role may not use this operation.');
  }
  const customerId = typeof claims['custom:customerId'] === 'string' ? claims['custom:customerId'] : undefined;
  if (role === 'customer' && route.customerOwnOnly) {
    // Someone else's record answers 404, so a customer token cannot probe which ids exist.
    if (!customerId || event.pathParameters?.customerId !== customerId) {
      throw new HttpProblem(404, 'not-found', 'Not found', 'No such customer.');
    }
  }
  const verifiedPhone =
    typeof claims.phone_number === 'string' && String(claims.phone_number_verified) === 'true' ? claims.phone_number : undefined;
  return { subject: claims.sub, role, ...(customerId ? { customerId } : {}), ...(verifiedPhone ? { verifiedPhone } : {}) };
}

/**
 * RFC 9457 problem+json: the one place where errors become HTTP responses (STYLE.md 2).
 * A 5xx never carries internals: its detail is a fixed sentence.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError, type FieldError, type RuleViolationError } from '../domain/errors.js';

export const problemTypeBase = 'https://problems.nordic-utility.example/';

/** An HTTP-level refusal raised before the domain is reached (size, token, syntax). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly errors: readonly FieldError[] = [],
  ) {
    super(detail);
  }
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: readonly FieldError[];
  rule?: string;
}

export function problemResponse(body: ProblemBody, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: body.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify(body),
  };
}

function problem(status: number, slug: string, title: string, detail: string, errors: readonly FieldError[] = []): ProblemBody {
  return { type: problemTypeBase + slug, title, status, detail, ...(errors.length > 0 ? { errors } : {}) };
}

/** Maps any thrown value to a problem body. Unknown errors are 500 with no internals. */
export function toProblem(error: unknown): ProblemBody {
  if (error instanceof HttpProblem) {
    return problem(error.status, error.slug, error.title, error.detail, error.errors);
  }
  if (error instanceof DomainError) {
    switch (error.kind) {
      case 'validation':
        return problem(422, 'validation-error', 'Invalid request', error.message, error.errors);
      case 'not_found':
        return problem(404, 'not-found', 'Not found', error.message, error.errors);
      case 'conflict':
        return problem(409, 'conflict', 'Conflict', error.message, error.errors);
      case 'forbidden':
        return problem(403, 'forbidden', 'Forbidden', error.message, error.errors);
      case 'rule_violation': {
        const rv = error as RuleViolationError;
        return { ...problem(422, 'rule-violation', 'Refused by a business rule', error.message, rv.errors), rule: rv.rule };
      }
    }
  }
  return problem(500, 'internal', 'Internal error', 'Something went wrong on our side. The request may be retried.');
}

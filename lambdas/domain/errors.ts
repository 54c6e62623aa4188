/**
 * Typed domain errors (STYLE.md 2). The domain knows no HTTP status codes; the HTTP
 * layer maps these in one place (lambdas/http/problem.ts).
 */
export interface FieldError {
  /** Dotted path of the offending field, e.g. `billingAddress.postalCode`. */
  readonly path: string;
  readonly message: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind: 'validation' | 'not_found' | 'conflict' | 'forbidden' | 'rule_violation';
  /** The fields the error is about (problem+json `errors`); none when it is about no field. */
  constructor(
    message: string,
    readonly errors: readonly FieldError[] = [],
  ) {
    super(message);
  }
}

/** Input that fails a schema or a checksum. */
export class ValidationError extends DomainError {
  readonly kind = 'validation' as const;
  constructor(errors: readonly FieldError[], message = 'The request has invalid fields.') {
    super(message, errors);
  }
}

/** Nothing by that id (`errors`: the body field that named it, e.g. `uploadId`). */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found' as const;
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict' as const;
}

/** The actor may not do this to this resource. */
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden' as const;
}

/** A business rule refuses the action (cites the rule, e.g. R-SE-6). */
export class RuleViolationError extends DomainError {
  readonly kind = 'rule_violation' as const;
  constructor(
    message: string,
    readonly rule: string,
    errors: readonly FieldError[] = [],
  ) {
    super(message, errors);
  }
}

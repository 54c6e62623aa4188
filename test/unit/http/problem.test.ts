import { describe, expect, it } from '@jest/globals';
import { ConflictError, ForbiddenError, NotFoundError, RuleViolationError, ValidationError } from '../../../lambdas/domain/errors.js';
import { HttpProblem, toProblem } from '../../../lambdas/http/problem.js';

describe('mapping errors to problem+json', () => {
  it.each([
    [new ValidationError([{ path: 'nationalId', message: 'checksum digit does not match' }]), 422, 'validation-error'],
    [new NotFoundError('No such customer.'), 404, 'not-found'],
    [new ConflictError('exists'), 409, 'conflict'],
    [new ForbiddenError('no', [{ path: 'name', message: 'not a contact field' }]), 403, 'forbidden'],
    [new RuleViolationError('refused', 'R-SE-6'), 422, 'rule-violation'],
    [new HttpProblem(413, 'payload-too-large', 'Payload too large', 'big'), 413, 'payload-too-large'],
  ])('%p becomes status %i', (error, status, slug) => {
    // Act
    const problem = toProblem(error);
    // Assess
    expect(problem.status).toBe(status);
    expect(problem.type).toMatch(new RegExp(`${slug}$`));
    expect(problem.detail).toBe(error.message);
  });

  it('keeps the field paths and the rule', () => {
    expect(toProblem(new ValidationError([{ path: 'nationalId', message: 'bad' }])).errors).toEqual([{ path: 'nationalId', message: 'bad' }]);
    expect(toProblem(new RuleViolationError('refused', 'R-SE-6')).rule).toBe('R-SE-6');
  });

  it('never carries internals in a 500', () => {
    // Act
    const problem = toProblem(new Error('connect ECONNREFUSED 10.0.0.1:8000 table utility-main'));
    // Assess
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toMatch(/ECONNREFUSED|utility-main/);
  });
});

/**
 * AWS's limits in the local Step Functions (docs/LIMITS.md): a Task whose Lambda function runs past
 * its timeout fails with Sandbox.Timedout (what the ASL's Retry/Catch see on AWS), and the 256 KB
 * payload quota fails the execution with States.DataLimitExceeded, which no Catch matches.
 */
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { awsLimits, type FunctionSettings } from '../../../lib/function-settings.js';
import { asLambda, lambdaTimeoutErrorName } from '../../../local/lambda-runtime.js';
import { InMemoryExecutionStore, LocalWorkflows } from '../../../local/workflows/runner.js';

const open: LocalWorkflows[] = [];
afterEach(async () => {
  for (const workflows of open.splice(0)) await workflows.close();
});
const releases: (() => void)[] = [];
afterAll(() => releases.splice(0).forEach((release) => release()));

function setup() {
  const workflows = new LocalWorkflows({ clock: { now: () => new Date('2027-01-15T08:00:00Z') }, store: new InMemoryExecutionStore(), log: () => undefined, retryIntervalMs: 0 });
  open.push(workflows);
  return workflows;
}

/** One lambda:invoke Task, retried on `retryOn`, every other error caught into `Handled`. */
const definition = (retryOn: string[]) => ({
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Retry: [{ ErrorEquals: retryOn, IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 1 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Handled' }],
      ResultPath: '$.result',
      End: true,
    },
    Handled: { Type: 'Pass', Result: 'handled', ResultPath: '$.handled', End: true },
  },
});

const short: FunctionSettings = { timeoutSeconds: 0.05, memoryMb: 128 };
const kb = (n: number) => 'x'.repeat(n * 1024);

async function finished(workflows: LocalWorkflows, executionArn: string) {
  await workflows.idle();
  return workflows.describeExecution(executionArn);
}

describe('a Task whose function times out', () => {
  it('fails with Sandbox.Timedout, which the ASL\'s Retry matches as on AWS', async () => {
    const workflows = setup();
    let calls = 0;
    const task = asLambda({ name: 'tasks', settings: short }, async () => {
      calls++;
      if (calls === 1) return new Promise((resolve) => releases.push(() => resolve({ late: true })));
      return { done: true };
    });
    workflows.register('limits', definition([lambdaTimeoutErrorName]), { Work: task });
    const { executionArn } = await workflows.startExecution('limits', 'timeout-retried', { id: 1 });
    const described = await finished(workflows, executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ id: 1, result: { done: true } });
    expect(calls).toBe(2);
    const failed = (await workflows.getExecutionHistory(executionArn)).events.filter((event) => event.type === 'TaskFailed');
    expect(failed).toEqual([expect.objectContaining({ taskFailedEventDetails: expect.objectContaining({ error: 'Sandbox.Timedout' }) })]);
  }, 10_000);

  it('is caught as a task error when no Retry names it (a definition retrying States.Timeout only; the dunning ASL retries Sandbox.Timedout too)', async () => {
    const workflows = setup();
    const task = asLambda({ name: 'tasks', settings: short }, () => new Promise((resolve) => releases.push(() => resolve({}))));
    workflows.register('limits', definition(['States.Timeout']), { Work: task });
    const { executionArn } = await workflows.startExecution('limits', 'timeout-caught', { id: 2 });
    const described = await finished(workflows, executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toMatchObject({ handled: 'handled', error: { Error: 'Sandbox.Timedout' } });
  }, 10_000);
});

describe(`the ${awsLimits.stepFunctionsPayloadBytes}-byte payload quota`, () => {
  it('a task result over it fails the execution with States.DataLimitExceeded; Catch States.ALL does not catch it', async () => {
    const workflows = setup();
    workflows.register('limits', definition(['Transient']), { Work: async () => ({ text: kb(300) }) });
    const { executionArn } = await workflows.startExecution('limits', 'big-result', { id: 3 });
    const described = await finished(workflows, executionArn);
    expect(described).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });

  it('a state output over it (input and a smaller result together) fails the execution', async () => {
    const workflows = setup();
    workflows.register('limits', definition(['Transient']), { Work: async () => ({ text: kb(150) }) });
    const { executionArn } = await workflows.startExecution('limits', 'big-output', { pad: kb(150) });
    const described = await finished(workflows, executionArn);
    expect(described).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });

  it('an execution input over it is refused at StartExecution', async () => {
    const workflows = setup();
    workflows.register('limits', definition(['Transient']), { Work: async () => ({}) });
    await expect(workflows.startExecution('limits', 'big-input', { pad: kb(257) })).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

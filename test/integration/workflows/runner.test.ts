/** Local workflows: clock-driven waits, task-token callbacks, persistence, resume, history, Retry/Catch. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import dynalite from 'dynalite';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createTableInput } from '../../../lambdas/adapters/table-schema.js';
import {
  DynamoExecutionStore,
  InMemoryExecutionStore,
  LocalWorkflows,
  type ExecutionStore,
  type TaskHandler,
} from '../../../local/workflows/runner.js';

const fixture = (name: string): object =>
  JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/statemachines', name), 'utf8')) as object;

const DAY = 86_400_000;

/** LocalClock's interface (now/set/advance), frozen between moves so timestamps are exact. */
class TestClock {
  private at = new Date('2026-01-10T09:00:00Z').getTime();
  now(): Date {
    return new Date(this.at);
  }
  set(at: Date): void {
    this.at = at.getTime();
  }
  advance(ms: number): void {
    this.at += ms;
  }
}
type LocalClock = TestClock;
const open: LocalWorkflows[] = [];

function setup(store: ExecutionStore = new InMemoryExecutionStore(), clock = new TestClock()) {
  const lines: string[] = [];
  const workflows = new LocalWorkflows({ clock, store, log: (line) => lines.push(line), retryIntervalMs: 0, tickIntervalMs: 10 });
  open.push(workflows);
  return { workflows, clock, store, lines };
}

/** The Record task of the wait fixtures: remembers which case fired at which local time. */
function recorder(clock: LocalClock) {
  const fired: { id: string; at: string; input: unknown }[] = [];
  const handler: TaskHandler = async (input) => {
    fired.push({ id: (input as { id: string }).id, at: clock.now().toISOString(), input });
    return { ok: true };
  };
  return { fired, handler };
}

afterEach(async () => {
  for (const workflows of open.splice(0)) await workflows.close();
});

describe('clock-driven waits', () => {
  it('a TimestampPath wait months away fires only when the clock is moved past it', async () => {
    // Prepare
    const { workflows, clock } = setup();
    clock.set(new Date('2026-01-10T09:00:00Z'));
    const { fired, handler } = recorder(clock);
    workflows.register('dunning', fixture('wait-until-due.asl.json'), { Record: handler });
    const { executionArn } = await workflows.startExecution('dunning', 'case-1', { id: 'case-1', dueAt: '2026-04-01T00:00:00Z' });
    // Act: a month passes, not enough
    await workflows.idle();
    clock.advance(30 * DAY);
    await workflows.tick();
    await workflows.idle();
    // Assess
    expect(fired).toEqual([]);
    expect((await workflows.describeExecution(executionArn)).status).toBe('RUNNING');
    expect((await workflows.describeExecution(executionArn)).local).toMatchObject({ currentState: 'WaitUntilDue', waitingUntil: '2026-04-01T00:00:00.000Z' });
    // Act: past the due date
    clock.set(new Date('2026-04-01T00:00:01Z'));
    await workflows.tick();
    await workflows.idle();
    // Assess
    expect(fired.map((f) => f.id)).toEqual(['case-1']);
    expect(fired[0]!.input).toEqual({ id: 'case-1', execution: executionArn, original: 'case-1' });
    const described = await workflows.describeExecution(executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ id: 'case-1', dueAt: '2026-04-01T00:00:00Z', recorded: { ok: true } });
    expect(described.stopDate?.toISOString()).toBe('2026-04-01T00:00:01.000Z');
  });

  it('executions waiting for different dates fire in date order after one big clock jump', async () => {
    // Prepare: started in the opposite order of their dates
    const { workflows, clock } = setup();
    clock.set(new Date('2026-01-10T09:00:00Z'));
    const { fired, handler } = recorder(clock);
    workflows.register('dunning', fixture('wait-until-due.asl.json'), { Record: handler });
    await workflows.startExecution('dunning', 'late', { id: 'late', dueAt: '2026-06-01T00:00:00Z' });
    await workflows.startExecution('dunning', 'early', { id: 'early', dueAt: '2026-03-01T00:00:00Z' });
    await workflows.startExecution('dunning', 'middle', { id: 'middle', dueAt: '2026-05-01T00:00:00Z' });
    await workflows.idle();
    // Act
    clock.set(new Date('2026-12-01T00:00:00Z'));
    await workflows.tick();
    await workflows.idle();
    // Assess
    expect(fired.map((f) => f.id)).toEqual(['early', 'middle', 'late']);
    const listed = await workflows.listExecutions('dunning', 'SUCCEEDED');
    expect(listed.executions.map((e) => e.name).sort()).toEqual(['early', 'late', 'middle']);
  });

  it('a released execution that reaches another due wait goes back in line behind earlier dates', async () => {
    // Prepare: A waits Jan 15 then Mar 1; B waits Feb 1 then Feb 2
    const { workflows, clock } = setup();
    const { fired, handler } = recorder(clock);
    workflows.register('steps', fixture('two-waits.asl.json'), { MarkFirst: handler, MarkSecond: handler });
    await workflows.startExecution('steps', 'A', { id: 'A', first: '2026-01-15T00:00:00Z', second: '2026-03-01T00:00:00Z' });
    await workflows.startExecution('steps', 'B', { id: 'B', first: '2026-02-01T00:00:00Z', second: '2026-02-02T00:00:00Z' });
    await workflows.idle();
    // Act
    clock.set(new Date('2026-04-01T00:00:00Z'));
    await workflows.tick();
    // Assess: each fired at the jump's "now", but in date order
    expect(fired.map((f) => f.id)).toEqual(['A-first', 'B-first', 'B-second', 'A-second']);
  });

  it('executions due at the same instant advance together, at most releaseConcurrency at a time', async () => {
    // Prepare: five executions wait for the same instant; their task holds until released by the test
    const clock = new TestClock();
    const workflows = new LocalWorkflows({ clock, store: new InMemoryExecutionStore(), retryIntervalMs: 0, releaseConcurrency: 3 });
    open.push(workflows);
    let inside = 0;
    let most = 0;
    const gates: (() => void)[] = [];
    const handler: TaskHandler = async (input) => {
      inside += 1;
      most = Math.max(most, inside);
      await new Promise<void>((resolve) => gates.push(resolve));
      inside -= 1;
      return { id: (input as { id: string }).id };
    };
    workflows.register('dunning', fixture('wait-until-due.asl.json'), { Record: handler });
    for (const id of ['a', 'b', 'c', 'd', 'e']) await workflows.startExecution('dunning', id, { id, dueAt: '2026-02-01T00:00:00Z' });
    await workflows.idle();
    // Act
    clock.set(new Date('2026-02-01T00:00:00Z'));
    const ticked = workflows.tick();
    const opened = async (n: number) => {
      while (gates.length < n) await new Promise((resolve) => setTimeout(resolve, 1));
    };
    await opened(3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Assess: three at once, not one and not five
    expect(inside).toBe(3);
    for (const open of gates.splice(0)) open();
    await opened(2);
    for (const open of gates.splice(0)) open();
    await ticked;
    await workflows.idle();
    expect(most).toBe(3);
    expect((await workflows.listExecutions('dunning', 'SUCCEEDED')).executions).toHaveLength(5);
  });

  it('waits inside Parallel branches follow the clock too', async () => {
    const { workflows, clock } = setup();
    workflows.register('parallel', fixture('parallel-waits.asl.json'), {});
    const { executionArn } = await workflows.startExecution('parallel', 'par', {});
    await workflows.idle();
    clock.advance(DAY);
    await workflows.idle();
    expect((await workflows.describeExecution(executionArn)).status).toBe('RUNNING');
    clock.advance(DAY);
    await workflows.idle();
    const described = await workflows.describeExecution(executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(described.output).toBe('[1,2]');
  });

  it('start() ticks on a real-time interval', async () => {
    const { workflows, clock } = setup(new InMemoryExecutionStore(), new TestClock());
    const { fired, handler } = recorder(clock);
    workflows.register('dunning', fixture('wait-until-due.asl.json'), { Record: handler });
    await workflows.startExecution('dunning', 'case-t', { id: 'case-t', dueAt: '2026-02-01T00:00:00Z' });
    await workflows.idle();
    workflows.start();
    clock.set(new Date('2026-02-01T00:00:00Z'));
    for (let i = 0; i < 100 && fired.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    workflows.stop();
    expect(fired.map((f) => f.id)).toEqual(['case-t']);
  });

  it('Seconds and SecondsPath count from the clock time the state was entered; InputPath/OutputPath apply', async () => {
    // Prepare
    const { workflows, clock } = setup();
    clock.set(new Date('2026-01-10T09:00:00Z'));
    workflows.register('pauses', fixture('wait-seconds.asl.json'), {});
    const { executionArn } = await workflows.startExecution('pauses', 'p1', { timing: { delay: 3600 } });
    await workflows.idle();
    // Act + Assess: one day for Pause, then an hour from then for PauseMore
    clock.advance(DAY - 1000);
    await workflows.idle();
    expect((await workflows.describeExecution(executionArn)).local.currentState).toBe('Pause');
    clock.advance(1000);
    await workflows.idle();
    expect((await workflows.describeExecution(executionArn)).local).toMatchObject({ currentState: 'PauseMore', waitingUntil: '2026-01-11T10:00:00.000Z' });
    clock.advance(3600_000);
    await workflows.idle();
    const described = await workflows.describeExecution(executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(described.output).toBe('3600');
  });
});

describe('waitForTaskToken callbacks', () => {
  it('hands the token to the task handler and resumes on sendTaskSuccess with the output', async () => {
    // Prepare
    const { workflows } = setup();
    const received: { input: unknown; token?: string }[] = [];
    workflows.register('approval', fixture('callback.asl.json'), {
      AskHuman: async (input, context) => {
        received.push({ input, ...(context.taskToken ? { token: context.taskToken } : {}) });
      },
    });
    const { executionArn } = await workflows.startExecution('approval', 'case-9', { caseId: 'case-9' });
    await workflows.idle();
    const token = received[0]!.token!;
    // Assess: token in context and in the Parameters ($$.Task.Token), execution waits
    expect(received[0]!.input).toEqual({ FunctionName: 'ask-human', Payload: { caseId: 'case-9', token } });
    expect((await workflows.describeExecution(executionArn)).status).toBe('RUNNING');
    // Act
    await workflows.sendTaskSuccess(token, JSON.stringify({ approved: true }));
    await workflows.idle();
    // Assess
    const described = await workflows.describeExecution(executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ caseId: 'case-9', decision: { approved: true } });
  });

  it('refuses an unknown token and a token already used', async () => {
    // Prepare
    const { workflows } = setup();
    let token = '';
    workflows.register('approval', fixture('callback.asl.json'), {
      AskHuman: async (_input, context) => {
        token = context.taskToken!;
      },
    });
    await workflows.startExecution('approval', 'case-10', { caseId: 'case-10' });
    await workflows.idle();
    // Act + Assess
    await expect(workflows.sendTaskSuccess('not-a-token', {})).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    await workflows.sendTaskSuccess(token, { approved: false });
    await workflows.idle();
    await expect(workflows.sendTaskSuccess(token, { approved: true })).rejects.toMatchObject({ name: 'TaskTimedOut' });
    await expect(workflows.sendTaskFailure(token, 'Rejected', 'no')).rejects.toMatchObject({ name: 'TaskTimedOut' });
    const described = await workflows.describeExecution('arn:aws:states:local:000000000000:execution:approval:case-10');
    expect(described).toMatchObject({ status: 'FAILED', error: 'CaseRejected', cause: 'the human said no' });
  });

  it('sendTaskFailure raises the error in the task state, where Catch takes it', async () => {
    // Prepare
    const { workflows } = setup();
    let token = '';
    workflows.register('approval', fixture('callback.asl.json'), {
      AskHuman: async (_input, context) => {
        token = context.taskToken!;
      },
    });
    const { executionArn } = await workflows.startExecution('approval', 'case-11', { caseId: 'case-11' });
    await workflows.idle();
    // Act
    await workflows.sendTaskFailure(token, 'Rejected', 'customer disputes the invoice');
    await workflows.idle();
    // Assess: caught into WasRejected (a Fail state)
    const history = await workflows.getExecutionHistory(executionArn);
    const types = history.events.map((e) => e.type);
    expect(types).toContain('TaskFailed');
    expect(types).toContain('FailStateEntered');
    expect((await workflows.describeExecution(executionArn)).status).toBe('FAILED');
  });
});

describe('starting', () => {
  it('a second start with the same name is a no-op; with another input it is refused', async () => {
    // Prepare
    const { workflows, clock } = setup();
    const { fired, handler } = recorder(clock);
    workflows.register('dunning', fixture('wait-until-due.asl.json'), { Record: handler });
    const input = { id: 'case-2', dueAt: '2020-01-01T00:00:00Z' };
    // Act
    const first = await workflows.startExecution('dunning', 'case-2', input);
    const second = await workflows.startExecution('dunning', 'case-2', input);
    await workflows.idle();
    const third = await workflows.startExecution('dunning', 'case-2', input);
    // Assess
    expect(first.alreadyStarted).toBe(false);
    expect(second).toEqual({ ...first, alreadyStarted: true });
    expect(third.alreadyStarted).toBe(true);
    expect(fired).toHaveLength(1);
    expect((await workflows.listExecutions('dunning')).executions).toHaveLength(1);
    await expect(workflows.startExecution('dunning', 'case-2', { ...input, id: 'other' })).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('concurrent starts with the same name create one execution', async () => {
    const { workflows, clock } = setup();
    const { fired, handler } = recorder(clock);
    workflows.register('dunning', fixture('wait-until-due.asl.json'), { Record: handler });
    const input = { id: 'case-c', dueAt: '2020-01-01T00:00:00Z' };
    const results = await Promise.all([1, 2, 3].map(() => workflows.startExecution('dunning', 'case-c', input)));
    await workflows.idle();
    expect(results.filter((r) => !r.alreadyStarted)).toHaveLength(1);
    expect(fired).toHaveLength(1);
  });

  it('register refuses an invalid definition with the validator errors', () => {
    const { workflows } = setup();
    expect(() => workflows.register('broken', fixture('invalid.asl.json'), {})).toThrow(/invalid/i);
  });
});

describe('history', () => {
  it('lists ExecutionStarted, the Wait and Task events in order and ExecutionSucceeded', async () => {
    // Prepare
    const { workflows, clock } = setup();
    clock.set(new Date('2026-01-10T09:00:00Z'));
    const { handler } = recorder(clock);
    workflows.register('dunning', fixture('wait-until-due.asl.json'), { Record: handler });
    const { executionArn } = await workflows.startExecution('dunning', 'case-3', { id: 'case-3', dueAt: '2026-02-01T00:00:00Z' });
    await workflows.idle();
    clock.set(new Date('2026-02-02T00:00:00Z'));
    // Act
    await workflows.idle();
    const history = await workflows.getExecutionHistory(executionArn);
    // Assess
    expect(history.events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(history.events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(history.events[0]!.timestamp.toISOString()).toBe('2026-01-10T09:00:00.000Z');
    expect(history.events[2]!.timestamp.toISOString()).toBe('2026-02-02T00:00:00.000Z');
    expect(history.events[1]).toMatchObject({ stateEnteredEventDetails: { name: 'WaitUntilDue' } });
    expect(JSON.parse((history.events[8] as unknown as { executionSucceededEventDetails: { output: string } }).executionSucceededEventDetails.output)).toMatchObject({ recorded: { ok: true } });
  });
});

describe('Retry and Catch on task handlers', () => {
  it('retries a transient error and succeeds', async () => {
    const { workflows } = setup();
    let calls = 0;
    workflows.register('flaky', fixture('retry-catch.asl.json'), {
      Flaky: async () => {
        calls += 1;
        if (calls < 3) throw Object.assign(new Error('try again'), { name: 'Transient' });
        return 'done';
      },
    });
    const { executionArn } = await workflows.startExecution('flaky', 'f1', {});
    await workflows.idle();
    expect(calls).toBe(3);
    const described = await workflows.describeExecution(executionArn);
    expect(JSON.parse(described.output!)).toEqual({ result: 'done' });
    const types = (await workflows.getExecutionHistory(executionArn)).events.map((e) => e.type);
    expect(types.filter((t) => t === 'TaskFailed')).toHaveLength(2);
  });

  it('catches a fatal error into the Catch state with Error and Cause', async () => {
    const { workflows } = setup();
    workflows.register('flaky', fixture('retry-catch.asl.json'), {
      Flaky: async () => {
        throw Object.assign(new Error('gone for good'), { name: 'Fatal' });
      },
    });
    const { executionArn } = await workflows.startExecution('flaky', 'f2', { a: 1 });
    await workflows.idle();
    const described = await workflows.describeExecution(executionArn);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ a: 1, error: { Error: 'Fatal', Cause: 'gone for good' }, handled: 'handled' });
  });
});

describe('resume after a restart (DynamoDB store)', () => {
  let server: Server;
  let db: DynamoDBDocumentClient;
  let tableCount = 0;
  let endpoint = '';

  beforeAll(async () => {
    server = dynalite({ createTableMs: 0 }) as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const raw = new DynamoDBClient({ endpoint, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  });
  afterAll(async () => {
    db.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  async function freshTable(): Promise<string> {
    const table = `workflows-it-${++tableCount}`;
    await db.send(new CreateTableCommand(createTableInput(table)));
    return table;
  }
  async function freshStore(): Promise<DynamoExecutionStore> {
    return new DynamoExecutionStore(db, await freshTable());
  }

  it('a new instance on the same store continues a waiting execution from where it was', async () => {
    // Prepare: first "process" starts and waits
    const store = await freshStore();
    const first = setup(store);
    const clock = first.clock;
    clock.set(new Date('2026-01-10T09:00:00Z'));
    const firstRecorder = recorder(clock);
    first.workflows.register('dunning', fixture('wait-until-due.asl.json'), { Record: firstRecorder.handler });
    const { executionArn } = await first.workflows.startExecution('dunning', 'case-4', { id: 'case-4', dueAt: '2026-05-01T00:00:00Z' });
    await first.workflows.idle();
    await first.workflows.close();
    // Act: second "process"
    const second = setup(store, clock);
    const secondRecorder = recorder(clock);
    second.workflows.register('dunning', fixture('wait-until-due.asl.json'), { Record: secondRecorder.handler });
    const report = await second.workflows.resumeOpenExecutions();
    await second.workflows.idle();
    expect(report.resumed).toEqual([executionArn]);
    expect(secondRecorder.fired).toEqual([]);
    clock.set(new Date('2026-05-02T00:00:00Z'));
    await second.workflows.idle();
    // Assess
    expect(firstRecorder.fired).toEqual([]);
    expect(secondRecorder.fired.map((f) => f.id)).toEqual(['case-4']);
    // $$.Execution.Input is the execution's input, not the resumed state's
    expect(secondRecorder.fired[0]!.input).toMatchObject({ original: 'case-4', execution: executionArn });
    expect((await second.workflows.describeExecution(executionArn)).status).toBe('SUCCEEDED');
    const types = (await second.workflows.getExecutionHistory(executionArn)).events.map((e) => e.type);
    expect(types).toEqual([
      'ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded',
    ]);
  });

  it('a pending task token survives the restart', async () => {
    // Prepare
    const store = await freshStore();
    const first = setup(store);
    let token = '';
    let asked = 0;
    const ask: TaskHandler = async (_input, context) => {
      asked += 1;
      token = context.taskToken!;
    };
    first.workflows.register('approval', fixture('callback.asl.json'), { AskHuman: ask });
    const { executionArn } = await first.workflows.startExecution('approval', 'case-12', { caseId: 'case-12' });
    await first.workflows.idle();
    await first.workflows.close();
    const second = setup(store, first.clock);
    second.workflows.register('approval', fixture('callback.asl.json'), { AskHuman: ask });
    await second.workflows.resumeOpenExecutions();
    await second.workflows.idle();
    // Act
    await second.workflows.sendTaskSuccess(token, { approved: true });
    await second.workflows.idle();
    // Assess: the human was asked once, the old token still works
    expect(asked).toBe(1);
    expect((await second.workflows.describeExecution(executionArn)).status).toBe('SUCCEEDED');
  });

  it('a changed definition continues through a new state; a definition without the current state fails clearly', async () => {
    // Prepare: two executions waiting in WaitUntilDue under v1
    const store = await freshStore();
    const first = setup(store);
    const clock = first.clock;
    clock.set(new Date('2026-01-10T09:00:00Z'));
    first.workflows.register('dunning', fixture('wait-until-due.asl.json'), { Record: recorder(clock).handler });
    first.workflows.register('renamed', fixture('wait-until-due.asl.json'), { Record: recorder(clock).handler });
    const a = await first.workflows.startExecution('dunning', 'case-5', { id: 'case-5', dueAt: '2026-03-01T00:00:00Z' });
    const b = await first.workflows.startExecution('renamed', 'case-6', { id: 'case-6', dueAt: '2026-03-01T00:00:00Z' });
    await first.workflows.idle();
    await first.workflows.close();
    // Act: the new process has v2 of dunning and a renamed wait state in "renamed"
    const second = setup(store, clock);
    const notified: string[] = [];
    const v2Recorder = recorder(clock);
    second.workflows.register('dunning', fixture('wait-until-due-v2.asl.json'), {
      Notify: async (input) => {
        notified.push((input as { id: string }).id);
        return 'sent';
      },
      Record: v2Recorder.handler,
    });
    second.workflows.register('renamed', fixture('wait-renamed.asl.json'), { Record: recorder(clock).handler });
    const report = await second.workflows.resumeOpenExecutions();
    clock.set(new Date('2026-03-02T00:00:00Z'));
    await second.workflows.idle();
    // Assess
    expect(report.failed).toEqual([b.executionArn]);
    expect(notified).toEqual(['case-5']);
    expect(v2Recorder.fired.map((f) => f.id)).toEqual(['case-5']);
    const done = await second.workflows.describeExecution(a.executionArn);
    expect(JSON.parse(done.output!)).toMatchObject({ notified: 'sent', recorded: { ok: true } });
    const failed = await second.workflows.describeExecution(b.executionArn);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(failed.cause).toContain('state "WaitUntilDue" no longer exists');
    const failedTypes = (await second.workflows.getExecutionHistory(b.executionArn)).events.map((e) => e.type);
    expect(failedTypes.at(-1)).toBe('ExecutionFailed');
  });

  it('saves the record with the events of a stretch in one BatchWriteItem, not one write per event', async () => {
    // Prepare: count the store's write calls
    const writes: string[] = [];
    const counting = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }));
    counting.middlewareStack.add((next, context) => async (args) => {
      if (/Put|Write|Update/.test(String(context.commandName))) writes.push(String(context.commandName));
      return next(args);
    }, { step: 'initialize', name: 'countWrites' });
    const counted = new DynamoExecutionStore(counting, await freshTable());
    const { workflows, clock } = setup(counted);
    workflows.register('dunning', fixture('wait-until-due.asl.json'), { Record: recorder(clock).handler });
    // Act
    const { executionArn } = await workflows.startExecution('dunning', 'case-30', { id: 'case-30', dueAt: '2026-02-01T00:00:00Z' });
    await workflows.idle();
    clock.set(new Date('2026-02-01T00:00:00Z'));
    await workflows.idle();
    // Assess: the whole history is there, written in fewer calls than it has events (start, the wait, the task, the end)
    const history = (await workflows.getExecutionHistory(executionArn)).events;
    expect(history.map((e) => e.type)).toEqual([
      'ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded',
    ]);
    expect(history.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(writes)).toEqual(new Set(['BatchWriteItemCommand']));
    expect(writes.length).toBeLessThanOrEqual(4);
    counting.destroy();
  });

  it('reads histories stored one event per item (before chunks) together with newer chunks', async () => {
    const tableName = await freshTable();
    const store = new DynamoExecutionStore(db, tableName);
    const arn = 'arn:aws:states:local:000000000000:execution:dunning:old-1';
    const event = (id: number, type: string) => ({ id, previousEventId: id - 1, type, timestamp: '2026-01-10T09:00:00.000Z' });
    await db.send(new PutCommand({ TableName: tableName, Item: { pk: `EXEC#${arn}`, sk: 'EVENT#000001', eventJson: JSON.stringify(event(1, 'ExecutionStarted')) } }));
    await db.send(new PutCommand({ TableName: tableName, Item: { pk: `EXEC#${arn}`, sk: 'EVENT#000002', eventJson: JSON.stringify(event(2, 'WaitStateEntered')) } }));
    await store.save(
      { executionArn: arn, stateMachineName: 'dunning', name: 'old-1', status: 'RUNNING', startDate: '2026-01-10T09:00:00.000Z', input: {}, eventCount: 4 },
      [event(3, 'WaitStateExited'), event(4, 'TaskStateEntered')],
    );
    expect((await store.events(arn)).map((e) => [e.id, e.type])).toEqual([
      [1, 'ExecutionStarted'], [2, 'WaitStateEntered'], [3, 'WaitStateExited'], [4, 'TaskStateEntered'],
    ]);
  });

  it('splits a save whose events would pass the 400 KB item limit into several items', async () => {
    const store = await freshStore();
    const arn = 'arn:aws:states:local:000000000000:execution:dunning:big-1';
    const big = 'x'.repeat(150_000);
    const events = [1, 2, 3, 4].map((id) => ({ id, previousEventId: id - 1, type: 'TaskSucceeded', timestamp: '2026-01-10T09:00:00.000Z', output: { big } }));
    await store.save({ executionArn: arn, stateMachineName: 'dunning', name: 'big-1', status: 'RUNNING', startDate: '2026-01-10T09:00:00.000Z', input: {}, eventCount: 4 }, events);
    const read = await store.events(arn);
    expect(read.map((e) => e.id)).toEqual([1, 2, 3, 4]);
    expect((read[3]!.output as { big: string }).big).toHaveLength(150_000);
  });
});

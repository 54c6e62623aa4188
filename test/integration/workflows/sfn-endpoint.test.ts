/** The Step Functions API endpoint over the local workflows, driven by the real SDK client. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { InMemoryExecutionStore, LocalWorkflows } from '../../../local/workflows/runner.js';
import { createStepFunctionsEndpoint } from '../../../local/workflows/sfn-endpoint.js';

const fixture = (name: string): object =>
  JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/statemachines', name), 'utf8')) as object;

const STARTED_AT = new Date('2026-01-10T09:00:00Z');
const machineArn = (name: string) => `arn:aws:states:local:000000000000:stateMachine:${name}`;
const executionArn = (machine: string, name: string) => `arn:aws:states:local:000000000000:execution:${machine}:${name}`;

/** LocalClock's interface, frozen between moves so timestamps are exact. */
class TestClock {
  private at = STARTED_AT.getTime();
  now(): Date {
    return new Date(this.at);
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** LocalWorkflows with the callback fixture (token captured) and a wait fixture, behind a listening endpoint. */
async function setup() {
  const clock = new TestClock();
  const workflows = new LocalWorkflows({ clock, store: new InMemoryExecutionStore(), retryIntervalMs: 0, tickIntervalMs: 10 });
  const tokens: string[] = [];
  workflows.register('approval', fixture('callback.asl.json'), {
    AskHuman: async (_input, context) => {
      tokens.push(context.taskToken!);
    },
  });
  workflows.register('pause', fixture('wait-seconds.asl.json'));
  const lines: string[] = [];
  const server: Server = createStepFunctionsEndpoint(workflows, { log: (line) => lines.push(line) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new SFNClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'eu-north-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  cleanup.push(async () => {
    client.destroy();
    await workflows.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { workflows, clock, client, tokens, lines, port };
}

describe('executions through the SDK', () => {
  it('lists, describes and shows the history of a waiting execution, and resumes it on SendTaskSuccess', async () => {
    // Prepare
    const { workflows, client, tokens } = await setup();
    const { executionArn: arn } = await workflows.startExecution('approval', 'case-1', { caseId: 'case-1' });
    await workflows.idle();
    // Act
    const listed = await client.send(new ListExecutionsCommand({ stateMachineArn: machineArn('approval') }));
    const described = await client.send(new DescribeExecutionCommand({ executionArn: arn }));
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: arn }));
    // Assess
    expect(listed.executions).toEqual([
      { executionArn: arn, stateMachineArn: machineArn('approval'), name: 'case-1', status: 'RUNNING', startDate: STARTED_AT },
    ]);
    expect(described).toMatchObject({ executionArn: arn, status: 'RUNNING', startDate: STARTED_AT, name: 'case-1' });
    expect(JSON.parse(described.input!)).toEqual({ caseId: 'case-1' });
    expect(described).not.toHaveProperty('local');
    expect(history.events!.map((e) => e.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted']);
    expect(history.events![0]!.timestamp).toEqual(STARTED_AT);
    expect(JSON.parse(history.events![0]!.executionStartedEventDetails!.input!)).toEqual({ caseId: 'case-1' });
    expect(history.events![2]!.taskScheduledEventDetails).toMatchObject({ resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken' });

    // Act: the human approves through the API
    await client.send(new SendTaskSuccessCommand({ taskToken: tokens[0]!, output: JSON.stringify({ approved: true }) }));
    await workflows.idle();
    // Assess
    const finished = await client.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(finished.status).toBe('SUCCEEDED');
    expect(finished.stopDate).toEqual(STARTED_AT);
    expect(JSON.parse(finished.output!)).toEqual({ caseId: 'case-1', decision: { approved: true } });
    const after = await client.send(new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, maxResults: 2 }));
    expect(after.events!.map((e) => e.type)).toEqual(['ExecutionSucceeded', 'SucceedStateExited']);
    expect(after.nextToken).toEqual(expect.any(String));
    const succeeded = await client.send(new ListExecutionsCommand({ stateMachineArn: machineArn('approval'), statusFilter: 'SUCCEEDED' }));
    expect(succeeded.executions!.map((e) => e.name)).toEqual(['case-1']);
  });

  it('SendTaskFailure raises the error in the task state; a used token is TaskTimedOut', async () => {
    // Prepare
    const { workflows, client, tokens } = await setup();
    const { executionArn: arn } = await workflows.startExecution('approval', 'case-2', { caseId: 'case-2' });
    await workflows.idle();
    // Act
    await client.send(new SendTaskFailureCommand({ taskToken: tokens[0]!, error: 'Rejected', cause: 'disputed' }));
    await workflows.idle();
    // Assess
    const described = await client.send(new DescribeExecutionCommand({ executionArn: arn }));
    expect(described).toMatchObject({ status: 'FAILED', error: 'CaseRejected' });
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: tokens[0]!, output: '{}' }))).rejects.toMatchObject({
      name: 'TaskTimedOut',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' }))).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
  });

  it('pages ListExecutions with maxResults/nextToken, newest first', async () => {
    // Prepare: three executions, one minute apart
    const { workflows, clock, client } = await setup();
    for (const name of ['a', 'b', 'c']) {
      await workflows.startExecution('pause', name, { timing: { delay: 5 } });
      clock.advance(60_000);
    }
    await workflows.idle();
    // Act
    const first = await client.send(new ListExecutionsCommand({ stateMachineArn: machineArn('pause'), maxResults: 2 }));
    const second = await client.send(new ListExecutionsCommand({ stateMachineArn: machineArn('pause'), maxResults: 2, nextToken: first.nextToken! }));
    // Assess
    expect(first.executions!.map((e) => e.name)).toEqual(['c', 'b']);
    expect(second.executions!.map((e) => e.name)).toEqual(['a']);
    expect(second.nextToken).toBeUndefined();
    expect(second.executions![0]!.startDate).toEqual(STARTED_AT);
  });

  it('StartExecution starts a registered machine with the given input', async () => {
    // Prepare
    const { workflows, client } = await setup();
    // Act
    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn: machineArn('pause'), name: 'via-api', input: JSON.stringify({ timing: { delay: 1 } }) }),
    );
    await workflows.idle();
    // Assess
    expect(started).toMatchObject({ executionArn: executionArn('pause', 'via-api'), startDate: STARTED_AT });
    const described = await workflows.describeExecution(started.executionArn!);
    expect(described).toMatchObject({ status: 'RUNNING', local: { currentState: 'Pause' } });
  });
});

describe('state machines through the SDK', () => {
  it('lists and describes the registered state machines', async () => {
    // Prepare
    const { client } = await setup();
    // Act
    const listed = await client.send(new ListStateMachinesCommand({}));
    const described = await client.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn('approval') }));
    // Assess
    expect(listed.stateMachines!.map((m) => [m.name, m.stateMachineArn, m.type])).toEqual([
      ['approval', machineArn('approval'), 'STANDARD'],
      ['pause', machineArn('pause'), 'STANDARD'],
    ]);
    expect(listed.stateMachines![0]!.creationDate).toBeInstanceOf(Date);
    expect(described).toMatchObject({ name: 'approval', status: 'ACTIVE', type: 'STANDARD' });
    expect(JSON.parse(described.definition!)).toEqual(fixture('callback.asl.json'));
  });
});

describe('errors', () => {
  it('unknown ARNs are ExecutionDoesNotExist / StateMachineDoesNotExist, a malformed one InvalidArn', async () => {
    // Prepare
    const { client } = await setup();
    // Act + Assess
    await expect(client.send(new DescribeExecutionCommand({ executionArn: executionArn('approval', 'nope') }))).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(client.send(new GetExecutionHistoryCommand({ executionArn: executionArn('approval', 'nope') }))).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
    });
    await expect(client.send(new ListExecutionsCommand({ stateMachineArn: machineArn('nope') }))).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
    await expect(client.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn('nope') }))).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
    await expect(client.send(new DescribeExecutionCommand({ executionArn: 'not-an-arn' }))).rejects.toMatchObject({ name: 'InvalidArn' });
  });

  it('answers unknown operations and malformed bodies in the JSON 1.0 error shape', async () => {
    // Prepare
    const { port, lines } = await setup();
    const post = (target: string, body: string) =>
      fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
        body,
      });
    // Act
    const unknown = await post('AWSStepFunctions.DeleteStateMachine', '{}');
    const malformed = await post('AWSStepFunctions.ListStateMachines', '{not json');
    const badOutput = await post('AWSStepFunctions.SendTaskSuccess', JSON.stringify({ taskToken: 't', output: 'nope' }));
    // Assess
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(await unknown.json()).toEqual({ __type: 'UnknownOperationException', message: expect.any(String) });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ __type: 'SerializationException' });
    expect(await badOutput.json()).toMatchObject({ __type: 'InvalidOutput' });
    expect(lines[0]).toMatch(/^sfn DeleteStateMachine 400 UnknownOperationException \d+\.\dms$/);
  });

  it('serialises dates as epoch seconds', async () => {
    // Prepare
    const { workflows, port } = await setup();
    await workflows.startExecution('pause', 'dated', {});
    await workflows.idle();
    // Act
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.DescribeExecution' },
      body: JSON.stringify({ executionArn: executionArn('pause', 'dated') }),
    });
    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ startDate: STARTED_AT.getTime() / 1000 });
  });
});


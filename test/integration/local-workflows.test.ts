/** The embedded stack's workflows: waits on the local clock, /_local/executions, and the AWS CLI's Step Functions endpoint. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListExecutionsCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { startTestStack, type TestStack } from './support.js';

let t: TestStack;
const definition = JSON.parse(readFileSync(new URL('../fixtures/statemachines/wait-until-due.asl.json', import.meta.url), 'utf8')) as object;

beforeAll(async () => {
  t = await startTestStack();
  await t.call('POST', '/_local/clock', { body: { set: '2026-11-24T10:00:00Z' } });
  t.stack.workflows.register('reminders', definition, { Record: async (input) => ({ recordedFor: (input as { id: string }).id }) });
});
afterAll(async () => t.stop());

describe('workflows on the embedded stack', () => {
  it('a wait a month away fires when the local clock passes it, and the run is visible in /_local/executions', async () => {
    // Prepare
    await t.stack.workflows.startExecution('reminders', 'invoice-1', { id: 'invoice-1', dueAt: '2026-12-24T00:00:00Z' });
    // Act
    const before = (await t.call('GET', '/_local/executions/invoice-1')).body;
    await t.call('POST', '/_local/clock', { body: { advance: 'P1M' } });
    const after = (await t.call('GET', '/_local/executions/invoice-1')).body;
    const list = (await t.call('GET', '/_local/executions')).body;
    // Assess
    expect(before.status).toBe('RUNNING');
    expect(after.status).toBe('SUCCEEDED');
    expect(after.history.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['ExecutionStarted', 'WaitStateEntered', 'ExecutionSucceeded']));
    expect(list.items).toEqual([expect.objectContaining({ name: 'invoice-1', status: 'SUCCEEDED' })]);
  });

  it('answers the AWS SDK / CLI stepfunctions calls on its own endpoint', async () => {
    // Prepare
    const sfn = new SFNClient({ endpoint: t.stack.stepFunctionsEndpoint, region: 'eu-north-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    // Act
    const executions = await sfn.send(new ListExecutionsCommand({ stateMachineArn: 'arn:aws:states:local:000000000000:stateMachine:reminders' }));
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: executions.executions![0]!.executionArn }));
    // Assess
    expect(executions.executions?.map((e) => e.name)).toEqual(['invoice-1']);
    expect(history.events?.at(-1)?.type).toBe('ExecutionSucceeded');
    sfn.destroy();
  });
});

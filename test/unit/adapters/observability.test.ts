// Business metrics as EMF, and the handler wrapping that flushes them (issue 14, lambdas/adapters/observability.ts).
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import middy from '@middy/core';
import { SQSClient } from '@aws-sdk/client-sqs';
import { businessMetrics, observabilityMiddlewares, observed, tracer, traced } from '../../../lambdas/adapters/observability.js';
import { noBusinessMetrics } from '../../../lambdas/domain/metrics.js';
import { captureEmf, testNamespace, type EmfCapture } from '../../emf.js';

let emf: EmfCapture | undefined;
afterEach(() => emf?.restore());

describe('PowertoolsBusinessMetrics (EMF)', () => {
  it('an outage created for N recipients: OutagesCreated 1 and OutageRecipients N, in the namespace with the service dimension only', () => {
    // Prepare
    emf = captureEmf();

    // Act
    emf.port.outageCreated(312);
    const lines = emf.flush();

    // Assess
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line!._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: testNamespace,
        Dimensions: [['service']],
        Metrics: [
          { Name: 'OutagesCreated', Unit: 'Count' },
          { Name: 'OutageRecipients', Unit: 'Count' },
        ],
      },
    ]);
    expect(line).toMatchObject({ service: 'nordic-utility-service', OutagesCreated: 1, OutageRecipients: 312 });
    // Nothing but the metadata, the dimension and the two counts: no phone, no id, no name.
    expect(Object.keys(line!).sort()).toEqual(['OutageRecipients', 'OutagesCreated', '_aws', 'service']);
  });

  it('invoices issued, and payments booked and unmatched, summed over one invocation', () => {
    // Prepare
    emf = captureEmf();

    // Act: two pages of a billing run and two payment files in one invocation
    emf.port.invoicesIssued(3);
    emf.port.invoicesIssued(2);
    emf.port.paymentsBooked({ booked: 5, unmatched: 1 });
    emf.port.paymentsBooked({ booked: 2, unmatched: 0 });
    emf.port.invoicesIssued(0); // nothing written: no data point
    const lines = emf.flush();

    // Assess
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ InvoicesIssued: [3, 2], PaymentsBooked: [5, 2], PaymentsUnmatched: 1 });
    expect(emf.sum('InvoicesIssued')).toBe(5);
    expect(emf.sum('PaymentsBooked')).toBe(7);
    expect(emf.sum('PaymentsUnmatched')).toBe(1);
  });

  it('SMS and voice calls sent and failed, per channel; nothing for a channel that sent nothing', () => {
    // Prepare
    emf = captureEmf();

    // Act
    emf.port.alertsSent('sms', { sent: 248, failed: 2 });
    emf.port.alertsSent('voice', { sent: 0, failed: 0 });
    const [line] = emf.flush();

    // Assess
    expect(line).toMatchObject({ SmsSent: 248, SmsFailed: 2 });
    expect(Object.keys(line!)).not.toContain('VoiceCallsSent');
  });

  it('a dunning stage entry and a work order: each its own line with its label as a dimension, written at once', () => {
    // Prepare
    emf = captureEmf();

    // Act
    emf.port.dunningStageEntered('reminder_1');
    emf.port.workOrderCreated('disconnection');
    emf.port.invoicesIssued(1);
    const before = emf.flush().length;

    // Assess: the two labelled lines were out before the flush; the invoice count kept its own (service only) dimensions
    const lines = emf.flush();
    expect(before).toBe(3);
    expect(lines[0]).toMatchObject({ service: 'nordic-utility-service', stage: 'reminder_1', DunningStageEntered: 1 });
    expect(lines[0]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service', 'stage']]);
    expect(lines[1]).toMatchObject({ type: 'disconnection', WorkOrdersCreated: 1 });
    expect(lines[2]).toMatchObject({ InvoicesIssued: 1 });
    expect(lines[2]!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['service']]);
    expect(emf.sum('DunningStageEntered', { stage: 'reminder_1' })).toBe(1);
  });
});

describe('the flush around a handler', () => {
  it('writes what the invocation counted after it answered, and after it failed', async () => {
    // Prepare
    emf = captureEmf();
    const port = emf.port;
    const handler = middy(async (event: { fail: boolean }) => {
      port.invoicesIssued(4);
      if (event.fail) throw new Error('page failed');
      return 'ok';
    }).use(observabilityMiddlewares({ metrics: emf.metrics, tracer: undefined }));

    // Act
    await handler({ fail: false }, {} as never);
    const afterAnswer = emf.flush().length;
    await expect(handler({ fail: true }, {} as never)).rejects.toThrow('page failed');

    // Assess
    expect(afterAnswer).toBe(1);
    expect(emf.sum('InvoicesIssued')).toBe(8);
    expect(emf.metrics.hasStoredMetrics()).toBe(false);
  });

  it('writes nothing (and warns nothing) for an invocation that counted nothing', async () => {
    // Prepare
    emf = captureEmf();
    const warnings: string[] = [];
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(((chunk: string) => warnings.push(String(chunk)) > 0) as typeof process.stderr.write);
    const handler = middy(async () => 'ok').use(observabilityMiddlewares({ metrics: emf.metrics, tracer: undefined }));

    // Act
    await handler({}, {} as never);
    stderr.mockRestore();

    // Assess
    expect(emf.flush()).toEqual([]);
    expect(warnings.filter((line) => line.includes('No application metrics'))).toEqual([]);
  });
});

describe('outside Lambda (the embedded stack, tests)', () => {
  it('counts nothing, loads no tracer, leaves SDK clients and job handlers as they are', () => {
    // Prepare
    const client = new SQSClient({ region: 'eu-north-1' });
    const handler = async (event: { n: number }) => event.n;

    // Act // Assess
    expect(process.env.AWS_EXECUTION_ENV).toBeUndefined();
    expect(businessMetrics).toBe(noBusinessMetrics);
    expect(tracer).toBeUndefined();
    expect(traced(client)).toBe(client);
    expect(observed(handler)).toBe(handler);
    expect(observabilityMiddlewares()).toEqual([]);
  });
});

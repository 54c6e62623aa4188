/** The SNS adapter against a mocked SNS client (aws-sdk-client-mock). */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { SnsSmsSender } from '../../../lambdas/adapters/messaging/sns-sms-sender.js';
import { RetryableSendError, SendFailure } from '../../../lambdas/domain/alerts/ports.js';

const sns = mockClient(SNSClient);
const waits: number[] = [];
const sender = new SnsSmsSender(new SNSClient({ region: 'eu-north-1' }), { senderId: 'ArvikaVA', maxAttempts: 4, backoffMs: 100 }, async (ms) => {
  waits.push(ms);
});
const message = { to: '+46701000001', body: 'Arvika Vatten\nVattenläcka', outageId: 'out_1', messageKey: '0' };

function awsError(name: string) {
  return Object.assign(new Error(name), { name, $metadata: {} });
}

beforeEach(() => {
  sns.reset();
  waits.length = 0;
});

describe('SnsSmsSender', () => {
  it('publishes to the phone number as a Transactional SMS with the sender id', async () => {
    // Prepare
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    // Act
    const result = await sender.send(message);
    // Assess
    expect(result).toEqual({ providerMessageId: 'm-1' });
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).toEqual({
      PhoneNumber: '+46701000001',
      Message: 'Arvika Vatten\nVattenläcka',
      MessageAttributes: {
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
        'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'ArvikaVA' },
      },
    });
  });

  it('retries throttling with exponential backoff, then succeeds', async () => {
    // Prepare
    sns.on(PublishCommand).rejectsOnce(awsError('ThrottledException')).rejectsOnce(awsError('Throttling')).resolves({ MessageId: 'm-2' });
    // Act
    const result = await sender.send(message);
    // Assess
    expect(result.providerMessageId).toBe('m-2');
    expect(sns.commandCalls(PublishCommand)).toHaveLength(3);
    expect(waits).toEqual([100, 200]);
  });

  it('gives up after the last attempt and lets the job be retried', async () => {
    // Prepare
    sns.on(PublishCommand).rejects(awsError('ThrottledException'));
    // Act
    const sending = sender.send(message);
    // Assess
    await expect(sending).rejects.toBeInstanceOf(RetryableSendError);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(4);
  });

  it('turns a refusal for the number into a permanent SendFailure, without retrying', async () => {
    // Prepare
    sns.on(PublishCommand).rejects(awsError('InvalidParameterException'));
    // Act
    const sending = sender.send(message);
    // Assess
    await expect(sending).rejects.toBeInstanceOf(SendFailure);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });
});

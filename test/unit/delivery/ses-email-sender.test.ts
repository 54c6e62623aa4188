/** The SES v2 adapter of EmailSender, against a mocked client (aws-sdk-client-mock). */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { SesEmailSender } from '../../../lambdas/adapters/delivery/ses-email-sender.js';
import { ChannelRefused, ChannelUnavailable } from '../../../lambdas/domain/delivery/ports.js';

const ses = mockClient(SESv2Client);
const error = (name: string) => Object.assign(new Error(name), { name });
const raw = Buffer.from('From: faktura@arvika.se\r\nTo: anna@example.se\r\n\r\nhej\r\n');
const message = {
  idempotencyKey: 'doc_1:email', documentId: 'doc_0123456789abcdef01234567', kind: 'invoice' as const, customerId: 'cus_0123456789abcdef',
  from: 'faktura@arvika.se', to: 'anna@example.se', raw,
};

function sender() {
  const waits: number[] = [];
  const adapter = new SesEmailSender(new SESv2Client({ region: 'eu-north-1' }), { configurationSet: 'documents', maxAttempts: 3, backoffMs: 100 }, async (ms) => {
    waits.push(ms);
  });
  return { adapter, waits };
}

beforeEach(() => {
  ses.reset();
});

describe('SesEmailSender', () => {
  it('sends the raw message with the configuration set and tags naming the document and customer', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    // Act
    const result = await sender().adapter.sendEmail(message);
    // Assess
    expect(result).toEqual({ providerReference: 'ses-1' });
    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      FromEmailAddress: 'faktura@arvika.se',
      Destination: { ToAddresses: ['anna@example.se'] },
      ConfigurationSetName: 'documents',
      EmailTags: [
        { Name: 'documentId', Value: 'doc_0123456789abcdef01234567' },
        { Name: 'customerId', Value: 'cus_0123456789abcdef' },
        { Name: 'kind', Value: 'invoice' },
      ],
    });
    expect(Buffer.from(input.Content!.Raw!.Data!).equals(raw)).toBe(true);
  });

  it('retries throttling with growing waits, then sends', async () => {
    // Prepare
    ses.on(SendEmailCommand).rejectsOnce(error('TooManyRequestsException')).rejectsOnce(error('LimitExceededException')).resolves({ MessageId: 'ses-2' });
    const { adapter, waits } = sender();
    // Act
    const result = await adapter.sendEmail(message);
    // Assess
    expect(result.providerReference).toBe('ses-2');
    expect(waits).toEqual([100, 200]);
  });

  it('reports a refused message as ChannelRefused, a paused account or endless throttling as ChannelUnavailable', async () => {
    // Prepare
    const { adapter } = sender();
    // Act // Assess
    ses.on(SendEmailCommand).rejects(error('MessageRejected'));
    await expect(adapter.sendEmail(message)).rejects.toBeInstanceOf(ChannelRefused);
    ses.reset();
    ses.on(SendEmailCommand).rejects(error('SendingPausedException'));
    await expect(adapter.sendEmail(message)).rejects.toBeInstanceOf(ChannelUnavailable);
    ses.reset();
    ses.on(SendEmailCommand).rejects(error('TooManyRequestsException'));
    await expect(adapter.sendEmail(message)).rejects.toBeInstanceOf(ChannelUnavailable);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(3);
  });

  it('lets an unknown error through (the job retries it; the claim stays until it is stale)', async () => {
    // Prepare
    ses.on(SendEmailCommand).rejects(error('InternalFailure'));
    // Act // Assess
    await expect(sender().adapter.sendEmail(message)).rejects.toThrow('InternalFailure');
  });
});

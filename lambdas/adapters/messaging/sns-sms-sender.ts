/**
 * SmsSender on SNS: one `Publish` per phone number, Transactional, with the configured
 * sender id. Throttling is retried with backoff; a refusal for the number is permanent.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { RetryableSendError, SendFailure, type SmsSender } from '../../domain/alerts/ports.js';

export interface SnsSmsSettings {
  readonly senderId: string;
  readonly maxAttempts: number;
  /** Base of the exponential backoff between throttled attempts. */
  readonly backoffMs: number;
}

const throttling = new Set(['ThrottledException', 'ThrottlingException', 'Throttling', 'TooManyRequestsException']);
const permanent = new Set(['InvalidParameterException', 'InvalidParameterValueException', 'OptedOutException', 'EndpointDisabledException']);

export class SnsSmsSender implements SmsSender {
  constructor(
    private readonly sns: SNSClient,
    private readonly settings: SnsSmsSettings,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async send(message: { to: string; body: string }): Promise<{ providerMessageId: string }> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.sns.send(
          new PublishCommand({
            PhoneNumber: message.to,
            Message: message.body,
            MessageAttributes: {
              'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
              'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: this.settings.senderId },
            },
          }),
        );
        return { providerMessageId: result.MessageId ?? '' };
      } catch (error) {
        const name = (error as { name?: string }).name ?? '';
        if (permanent.has(name)) throw new SendFailure(`refused by SNS (${name})`);
        if (!throttling.has(name)) throw error;
        if (attempt >= this.settings.maxAttempts) throw new RetryableSendError(`throttled by SNS ${attempt} times`);
        await this.sleep(this.settings.backoffMs * 2 ** (attempt - 1));
      }
    }
  }
}

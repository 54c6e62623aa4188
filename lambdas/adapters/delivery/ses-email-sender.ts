/**
 * EmailSender on Amazon SES v2: `SendEmail` with the raw MIME message (the PDF attached), the
 * configuration set whose event destination reports bounces and complaints (lambdas/jobs/
 * email-events.ts), and tags naming the document and the customer, which those events carry back.
 *
 * SES takes no idempotency key: a send whose answer was lost is sent again by the job's retry
 * (docs/DELIVERY.md). Throttling is retried here with backoff; a refusal of this message
 * (MessageRejected, a bad address) is ChannelRefused; a paused account, a suspended one or
 * still-throttled sending is ChannelUnavailable.
 */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { ChannelRefused, ChannelUnavailable, type EmailSender, type HandOver, type HandedOver } from '../../domain/delivery/ports.js';

export interface SesSettings {
  readonly configurationSet: string;
  readonly maxAttempts: number;
  readonly backoffMs: number;
}

const throttling = new Set(['TooManyRequestsException', 'LimitExceededException', 'ThrottlingException']);
const refusals = new Set(['MessageRejected', 'BadRequestException']);
const unavailable = new Set(['AccountSuspendedException', 'SendingPausedException', 'MailFromDomainNotVerifiedException', 'NotFoundException']);

/** SES tag values: letters, digits, `_ - . @` only. */
const tagValue = (value: string) => value.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 256);

export class SesEmailSender implements EmailSender {
  constructor(
    private readonly ses: SESv2Client,
    private readonly settings: SesSettings,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async sendEmail(message: HandOver & { from: string; to: string; raw: Uint8Array }): Promise<HandedOver> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.ses.send(
          new SendEmailCommand({
            FromEmailAddress: message.from,
            Destination: { ToAddresses: [message.to] },
            Content: { Raw: { Data: message.raw } },
            ConfigurationSetName: this.settings.configurationSet,
            EmailTags: [
              { Name: 'documentId', Value: tagValue(message.documentId) },
              { Name: 'customerId', Value: tagValue(message.customerId) },
              { Name: 'kind', Value: tagValue(message.kind) },
            ],
          }),
        );
        if (!result.MessageId) throw new ChannelUnavailable('SES answered without a message id');
        return { providerReference: result.MessageId };
      } catch (error) {
        const name = (error as { name?: string }).name ?? '';
        if (refusals.has(name)) throw new ChannelRefused(`SES refused the message (${name})`);
        if (unavailable.has(name)) throw new ChannelUnavailable(`SES cannot send now (${name})`);
        if (!throttling.has(name)) throw error;
        if (attempt >= this.settings.maxAttempts) throw new ChannelUnavailable(`throttled by SES ${attempt} times`);
        await this.sleep(this.settings.backoffMs * 2 ** (attempt - 1));
      }
    }
  }
}

/**
 * VoiceSender on AWS End User Messaging SMS and Voice (`SendVoiceMessage`): the alert
 * read by text-to-speech in the message's language, for numbers that cannot take SMS (R-SMS-8).
 */
import { SendVoiceMessageCommand, type PinpointSMSVoiceV2Client, type VoiceId } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { RetryableSendError, SendFailure, type VoiceSender } from '../../domain/alerts/ports.js';

/** A voice per language. The service has no Finnish voice: Finnish calls use the English text (service.ts). */
const voices: Record<string, VoiceId> = { 'sv-SE': 'ASTRID', 'nb-NO': 'LIV', 'en-GB': 'AMY' };

export class EndUserMessagingVoiceSender implements VoiceSender {
  constructor(
    private readonly client: PinpointSMSVoiceV2Client,
    private readonly originationIdentity: string,
  ) {}

  async call(message: { to: string; text: string; languageCode: string }): Promise<{ providerMessageId: string }> {
    try {
      const result = await this.client.send(
        new SendVoiceMessageCommand({
          DestinationPhoneNumber: message.to,
          OriginationIdentity: this.originationIdentity,
          MessageBody: message.text,
          MessageBodyTextType: 'TEXT',
          VoiceId: voices[message.languageCode] ?? 'AMY',
        }),
      );
      return { providerMessageId: result.MessageId ?? '' };
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (name === 'ValidationException' || name === 'ResourceNotFoundException') throw new SendFailure(`refused by the voice service (${name})`);
      if (name === 'ThrottlingException') throw new RetryableSendError('throttled by the voice service');
      throw error;
    }
  }
}

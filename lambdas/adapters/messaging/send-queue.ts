/**
 * The SendQueue port: in AWS an SQS queue feeding the sending function; the embedded
 * stack installs an in-process queue that calls the same sending handler.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SendQueue } from '../../domain/alerts/ports.js';

export class SqsSendQueue implements SendQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(job: { outageId: string; messageKey: string }): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(job) }));
  }
}

let installed: SendQueue | undefined;

/** The embedded stack installs its in-process queue here; handlers never call it. */
export function installSendQueue(queue: SendQueue): void {
  installed = queue;
}

export function installedSendQueue(): SendQueue | undefined {
  return installed;
}

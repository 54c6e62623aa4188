/**
 * The SendQueue port: in AWS an SQS queue feeding the sending function; the embedded
 * stack installs an in-process queue that calls the same sending handler.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AlertJobMessage, AlertJobQueue, SendQueue } from '../../domain/alerts/ports.js';

export class SqsSendQueue implements SendQueue, AlertJobQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async enqueue(job: { outageId: string; messageKey: string; chunk?: number }): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(job) }));
  }

  /** An alert job travels on the same queue to the same function (lambdas/jobs/send-alerts.ts tells them apart). */
  async enqueueJob(job: AlertJobMessage): Promise<void> {
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

let installedJobs: AlertJobQueue | undefined;

/** The embedded stack installs its background in-process queue for alert jobs here. */
export function installAlertJobQueue(queue: AlertJobQueue): void {
  installedJobs = queue;
}

export function installedAlertJobQueue(): AlertJobQueue | undefined {
  return installedJobs;
}

/**
 * Builds the outage-alert use-cases from configuration: SNS in AWS, the outbox locally; register
 * uploads in the payment-file bucket (REGISTER_UPLOAD_BUCKET) in AWS, the embedded stack's file
 * store locally.
 */
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { RegisterFileStore } from '../domain/alerts/ports.js';
import { OutageAlerts } from '../domain/alerts/service.js';
import { canReceiveSms } from '../domain/phone.js';
import { alertSettings, loadAlertConfig } from './alerts-config.js';
import { clock } from './clock.js';
import { loadConfig } from './config.js';
import { documentClient } from './dynamo/client.js';
import { DynamoAlertRepository } from './dynamo/alert-repository.js';
import { DynamoJobRepository } from './dynamo/job-repository.js';
import { randomIds } from './ids.js';
import { Outbox } from './messaging/outbox.js';
import { installedAlertJobQueue, installedSendQueue, SqsSendQueue } from './messaging/send-queue.js';
import { SnsSmsSender } from './messaging/sns-sms-sender.js';
import { EndUserMessagingVoiceSender } from './messaging/voice-sender.js';
import { businessMetrics, traced } from './observability.js';

let installedRegisterFiles: RegisterFileStore | undefined;

/** The embedded stack installs its file store here (local/payment-uploads.ts); handlers never call it. */
export function installRegisterFiles(store: RegisterFileStore): void {
  installedRegisterFiles = store;
}

/**
 * The S3 store, loaded on its first use: most requests of the alert routes and most sending
 * jobs never touch a file, and the S3 client would add to every cold start.
 */
function lazyS3RegisterFiles(bucket: string, region: string, now: () => Date): RegisterFileStore {
  let loaded: Promise<RegisterFileStore> | undefined;
  const store = () =>
    (loaded ??= import('./storage/s3-payment-file-store.js').then(
      ({ S3PaymentFileStore }) => new S3PaymentFileStore(S3PaymentFileStore.client(region), bucket, now),
    ));
  return {
    uploadUrl: async (objectKey, seconds) => (await store()).uploadUrl(objectKey, seconds),
    head: async (objectKey) => (await store()).head(objectKey),
    read: async (objectKey, options) => (await store()).read(objectKey, options),
  };
}

export function buildOutageAlerts(): OutageAlerts {
  const config = loadConfig();
  const alerts = loadAlertConfig();
  const db = documentClient(config);
  const now = () => clock().now();
  let sms;
  let voice;
  let queue;
  let jobQueue;
  if (alerts.MESSAGING === 'sns') {
    sms = new SnsSmsSender(traced(new SNSClient({ region: config.AWS_REGION })), { senderId: alerts.SMS_SENDER_ID!, maxAttempts: 5, backoffMs: 200 });
    voice = new EndUserMessagingVoiceSender(traced(new PinpointSMSVoiceV2Client({ region: config.AWS_REGION })), alerts.VOICE_ORIGINATION_IDENTITY!);
    queue = new SqsSendQueue(traced(new SQSClient({ region: config.AWS_REGION })), alerts.SEND_QUEUE_URL!);
    jobQueue = queue;
  } else {
    const outbox = new Outbox(db, config.TABLE_NAME, now);
    sms = outbox;
    voice = outbox;
    const local = installedSendQueue();
    jobQueue = installedAlertJobQueue();
    if (!local || !jobQueue) throw new Error('MESSAGING=outbox runs only in the embedded stack, which installs its send queue');
    queue = local;
  }
  const registerFiles = alerts.REGISTER_UPLOAD_BUCKET ? lazyS3RegisterFiles(alerts.REGISTER_UPLOAD_BUCKET, config.AWS_REGION, now) : installedRegisterFiles;
  return new OutageAlerts({
    repo: new DynamoAlertRepository(db, config.TABLE_NAME),
    sms,
    voice,
    queue,
    jobs: new DynamoJobRepository(db, config.TABLE_NAME),
    jobQueue,
    now,
    newId: (prefix) => randomIds.newId(prefix),
    settings: alertSettings(alerts),
    canReceiveSms,
    ...(registerFiles ? { registerFiles } : {}),
    metrics: businessMetrics,
  });
}

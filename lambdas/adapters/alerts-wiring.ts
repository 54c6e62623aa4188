/** Builds the outage-alert use-cases from configuration: SNS in AWS, the outbox locally. */
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
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
    metrics: businessMetrics,
  });
}

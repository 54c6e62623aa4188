/**
 * Builds document delivery from configuration (STYLE.md 3): in AWS (`DELIVERY_MODE=aws`) S3,
 * SQS, SES and the providers' HTTP APIs; in the embedded stack (`outbox`) the outbox and the
 * store and queue the stack installs. Settings per utility come from the environment the CDK
 * construct sets (lib/constructs/document-delivery.ts), validated here at cold start.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import type { Customer } from '../domain/customers/model.js';
import type { Service } from '../domain/customers/schemas.js';
import type { Addressee } from '../domain/delivery/model.js';
import {
  ChannelRefused,
  type AddresseeDirectory,
  type DeliveryQueue,
  type DocumentStore,
  type EInvoiceSender,
  type PrintService,
} from '../domain/delivery/ports.js';
import { DocumentOrders, type OrderFacts } from '../domain/delivery/orders.js';
import { localDateTime } from '../domain/alerts/quiet-hours.js';
import { DynamoBillingRepository } from './dynamo/billing-repository.js';
import { DynamoDunningRepository } from './dynamo/dunning-repository.js';
import { DynamoJobRepository } from './dynamo/job-repository.js';
import { loadLetterSettings } from './letters-config.js';
import { DocumentDelivery } from '../domain/delivery/service.js';
import { clock } from './clock.js';
import { loadConfig } from './config.js';
import { OperatorEInvoiceSender } from './delivery/einvoice-operator.js';
import { HttpChannel } from './delivery/http-channel.js';
import { HttpPrintService } from './delivery/print-service.js';
import { secretApiKey } from './delivery/secrets.js';
import { SesEmailSender } from './delivery/ses-email-sender.js';
import { documentClient } from './dynamo/client.js';
import { DynamoCustomerRepository } from './dynamo/customer-repository.js';
import { DynamoDeliveryRepository } from './dynamo/delivery-repository.js';
import { randomIds } from './ids.js';
import { Outbox } from './messaging/outbox.js';
import { S3DocumentStore } from './storage/s3-document-store.js';
import { traced } from './observability.js';

/** A provider's API: https only, no trailing slash. */
const providerUrl = z.url().refine((url) => url.startsWith('https://'), 'https only').transform((url) => url.replace(/\/+$/, '')).optional();

export const deliveryConfigSchema = z
  .object({
    /** `aws`: S3, SQS, SES, the operator's and the print service's APIs; `outbox`: the embedded stack. */
    DELIVERY_MODE: z.enum(['aws', 'outbox']),
    DOCUMENT_BUCKET: z.string().min(3).optional(),
    DELIVERY_QUEUE_URL: z.url().optional(),
    SES_CONFIGURATION_SET: z.string().min(1).optional(),
    EMAIL_FROM_ADDRESS: z.email(),
    EMAIL_FROM_NAME: z.string().min(1).max(100),
    /** The utility's e-invoice operator; without it e-invoice customers get the next channel. */
    EINVOICE_API_URL: providerUrl,
    EINVOICE_API_SECRET_ID: z.string().min(1).optional(),
    /** The print service (digital mailbox or print and post). */
    PRINT_API_URL: providerUrl,
    PRINT_API_SECRET_ID: z.string().min(1).optional(),
    /** Receives of a delivery job before its dead-letter queue: the last one falls back from an unavailable channel. */
    DELIVERY_MAX_RECEIVES: z.coerce.number().int().min(1).max(10).default(3),
    /** A `sending` claim older than this was left by a crashed run (≥ the delivery function's timeout). */
    DELIVERY_CLAIM_STALE_SECONDS: z.coerce.number().int().min(1).default(120),
    DELIVERY_REQUEUE_AFTER_SECONDS: z.coerce.number().int().min(60).default(900),
    /** 4 MiB: base64 in `GET /v1/documents/{id}/content` stays under Lambda's 6 MB response limit. */
    DOCUMENT_MAX_BYTES: z.coerce.number().int().min(1024).max(4 * 1024 * 1024).default(4 * 1024 * 1024),
    /** The utility's country: the e-invoice format and the letters' calendar (the delivery job, which composes orders). */
    UTILITY_COUNTRY: z.enum(['SE', 'FI', 'NO']).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.DELIVERY_MODE !== 'aws') return;
    for (const name of ['DOCUMENT_BUCKET', 'DELIVERY_QUEUE_URL', 'SES_CONFIGURATION_SET', 'PRINT_API_URL', 'PRINT_API_SECRET_ID'] as const) {
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'required when DELIVERY_MODE is aws' });
    }
    if (env.EINVOICE_API_URL && !env.EINVOICE_API_SECRET_ID) ctx.addIssue({ code: 'custom', path: ['EINVOICE_API_SECRET_ID'], message: 'required with EINVOICE_API_URL' });
  });
export type DeliveryConfig = z.infer<typeof deliveryConfigSchema>;

export function loadDeliveryConfig(env: NodeJS.ProcessEnv = process.env): DeliveryConfig {
  const parsed = deliveryConfigSchema.safeParse(env);
  if (!parsed.success) throw new Error(`Invalid delivery configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')} (${i.message})`).join(', ')}`);
  return parsed.data;
}

let installed: { store: DocumentStore; queue: DeliveryQueue } | undefined;

/** The embedded stack installs its file store and in-process queue here; handlers never call it. */
export function installLocalDelivery(local: { store: DocumentStore; queue: DeliveryQueue }): void {
  installed = local;
}

class SqsDeliveryQueue implements DeliveryQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly url: string,
  ) {}

  async enqueue(job: { documentId: string }): Promise<void> {
    await this.sqs.send(new SendMessageCommand({ QueueUrl: this.url, MessageBody: JSON.stringify(job) }));
  }
}

/** A utility without an e-invoice operator contract: e-invoice customers get the next channel. */
const noOperator: EInvoiceSender = {
  sendEInvoice: async () => {
    throw new ChannelRefused('no e-invoice operator is configured for this utility');
  },
};

export function addresseeOf(customer: Customer): Addressee {
  return {
    customerId: customer.customerId,
    name: customer.name,
    country: customer.country,
    nationalId: customer.nationalId,
    ...(customer.language ? { language: customer.language } : {}),
    protectedIdentity: customer.protectedIdentity,
    billingAddress: customer.billingAddress,
    ...(customer.email ? { email: customer.email } : {}),
    ...(customer.deliveryChannel ? { deliveryChannel: customer.deliveryChannel } : {}),
    ...(customer.eInvoice ? { eInvoice: customer.eInvoice } : {}),
  };
}

export function buildDocumentDelivery(): DocumentDelivery {
  const config = loadConfig();
  const env = loadDeliveryConfig();
  const db = documentClient(config);
  const customers = new DynamoCustomerRepository(db, config.TABLE_NAME);
  const directory: AddresseeDirectory = {
    addressee: async (customerId) => {
      const customer = await customers.getCustomer(customerId);
      return customer && addresseeOf(customer);
    },
  };
  const now = () => clock().now();
  let parts: Pick<ConstructorParameters<typeof DocumentDelivery>[0], 'store' | 'queue' | 'eInvoice' | 'email' | 'print'>;
  if (env.DELIVERY_MODE === 'aws') {
    const secrets = traced(new SecretsManagerClient({ region: config.AWS_REGION }));
    const http = (name: string, baseUrl: string, secret: string) =>
      new HttpChannel({ name, baseUrl, apiKey: secretApiKey(secrets, secret), timeoutMs: 10_000, maxAttempts: 3, backoffMs: 500 });
    const print: PrintService = new HttpPrintService(http('the print service', env.PRINT_API_URL!, env.PRINT_API_SECRET_ID!));
    parts = {
      store: new S3DocumentStore(traced(new S3Client({ region: config.AWS_REGION })), env.DOCUMENT_BUCKET!),
      queue: new SqsDeliveryQueue(traced(new SQSClient({ region: config.AWS_REGION })), env.DELIVERY_QUEUE_URL!),
      eInvoice: env.EINVOICE_API_URL ? new OperatorEInvoiceSender(http('the e-invoice operator', env.EINVOICE_API_URL, env.EINVOICE_API_SECRET_ID!)) : noOperator,
      email: new SesEmailSender(traced(new SESv2Client({ region: config.AWS_REGION })), { configurationSet: env.SES_CONFIGURATION_SET!, maxAttempts: 4, backoffMs: 250 }),
      print,
    };
  } else {
    if (!installed) throw new Error('DELIVERY_MODE=outbox runs only in the embedded stack, which installs its store and queue');
    const outbox = new Outbox(db, config.TABLE_NAME, now);
    parts = { store: installed.store, queue: installed.queue, eInvoice: outbox, email: outbox, print: outbox };
  }
  return new DocumentDelivery({
    ...parts,
    repo: new DynamoDeliveryRepository(db, config.TABLE_NAME),
    directory,
    now,
    newId: (prefix) => randomIds.newId(prefix),
    settings: {
      emailFrom: { name: env.EMAIL_FROM_NAME, address: env.EMAIL_FROM_ADDRESS },
      claimStaleMs: env.DELIVERY_CLAIM_STALE_SECONDS * 1000,
      requeueAfterMs: env.DELIVERY_REQUEUE_AFTER_SECONDS * 1000,
      maxDocumentBytes: env.DOCUMENT_MAX_BYTES,
    },
  });
}

const zones = { SE: 'Europe/Stockholm', FI: 'Europe/Helsinki', NO: 'Europe/Oslo' } as const;

/** The delivery job's orders: composed from the table's records, with the utility's letterhead (UTILITY_LETTERS_JSON). */
export function buildDocumentOrders(delivery: DocumentDelivery): DocumentOrders {
  const config = loadConfig();
  const env = loadDeliveryConfig();
  const db = documentClient(config);
  const billing = new DynamoBillingRepository(db, config.TABLE_NAME);
  const customers = new DynamoCustomerRepository(db, config.TABLE_NAME);
  const jobs = new DynamoJobRepository(db, config.TABLE_NAME);
  const cases = new DynamoDunningRepository(db, config.TABLE_NAME, {
    getInvoice: (id) => billing.getInvoice(id),
    getCustomer: (id) => customers.getCustomer(id),
    facilitiesOf: (id) => billing.facilitiesOf(id),
  });
  const facts: OrderFacts = {
    invoice: (id) => billing.getInvoice(id),
    customer: (id) => customers.getCustomer(id),
    facilities: (id) => billing.facilitiesOf(id),
    dunningCase: (id) => cases.getCase(id),
    tariffVersions: (service) => billing.tariffVersions(service),
    noticeList: async (jobId) => (await jobs.getJob<{ service: Service; effectiveFrom: string }>(jobId))?.input,
  };
  if (!env.UTILITY_COUNTRY) throw new Error('Invalid delivery configuration: UTILITY_COUNTRY is required where documents are composed');
  const zone = zones[env.UTILITY_COUNTRY];
  return new DocumentOrders({
    facts,
    settings: loadLetterSettings(),
    delivery,
    today: () => {
      const t = localDateTime(clock().now(), zone);
      return `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
    },
  });
}

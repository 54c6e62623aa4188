/**
 * Document delivery end to end on the embedded stack (docs/DELIVERY.md): the channel order of
 * R-SE-8, a protected identity's paper via the forwarding service (R-SE-4), fallbacks, at
 * least once and never twice, the outbox that shows it all, the read API, bounces, and SMS
 * receipts and stop words.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SNSEvent, SQSEvent } from 'aws-lambda';
import { documentClient } from '../../lambdas/adapters/dynamo/client.js';
import { DynamoAlertRepository } from '../../lambdas/adapters/dynamo/alert-repository.js';
import { DynamoDeliveryRepository } from '../../lambdas/adapters/dynamo/delivery-repository.js';
import { HandOverInProgress } from '../../lambdas/domain/delivery/service.js';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { renderInvoicePdf } from '../../lambdas/domain/billing/document.js';
import type { Invoice } from '../../lambdas/domain/billing/model.js';
import type { DocumentSubmission } from '../../lambdas/domain/delivery/model.js';
import { localRegion, localTableName } from '../../local/stack.js';
import { startTestStack, swedishPerson, type TestStack } from './support.js';

let t: TestStack;
let agent: string;
let admin: string;
let pdf: Uint8Array;

const forwardingAddress = 'Skatteverket, Förmedlingsuppdrag, Box 2820, 403 20 Göteborg';
const xml = '<?xml version="1.0" encoding="UTF-8"?><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"><ID>100001</ID></Invoice>';

/** Today's invoice PDF (lambdas/domain/billing/document.ts) for a customer. */
async function invoicePdf(customerId: string): Promise<Uint8Array> {
  const invoice = {
    invoiceId: `inv_${customerId}_2026-11`, invoiceNumber: 100001, customerId, issueDate: '2026-11-24', dueDate: '2026-12-31', currency: 'SEK',
    lines: [{ description: 'Vatten', facilityId: '100001', periodStart: '2026-10-01', periodEnd: '2026-10-31', net: 40000, vatRate: 25 }],
    net: 40000, vat: 10000, total: 50000, openAmount: 50000, reference: '1000012', referenceType: 'ocr',
    delivery: { channel: 'paper', address: { line1: 'Storgatan 1', postalCode: '671 31', city: 'Arvika', country: 'SE' } },
  } as unknown as Invoice;
  return renderInvoicePdf(invoice);
}

/** A valid personnummer per customer: 1980-01-01, serial n, the Luhn check digit. */
let nextSerial = 100;
function personnummer(): string {
  const digits = `800101${String(nextSerial++).padStart(3, '0')}`;
  const sum = [...digits].reduce((total, digit, i) => {
    const value = Number(digit) * (i % 2 === 0 ? 2 : 1);
    return total + (value > 9 ? value - 9 : value);
  }, 0);
  return `19${digits.slice(0, 6)}-${digits.slice(6)}${(10 - (sum % 10)) % 10}`;
}

async function customer(overrides: Record<string, unknown>): Promise<string> {
  const created = await t.call('POST', '/v1/customers', { token: agent, body: swedishPerson({ nationalId: personnummer(), ...overrides }) });
  expect(created.status).toBe(201);
  return created.body.customerId as string;
}

function submission(customerId: string, overrides: Partial<DocumentSubmission> = {}): DocumentSubmission {
  return {
    kind: 'invoice',
    customerId,
    sourceKey: `inv_${customerId}_2026-11`,
    invoiceId: `inv_${customerId}_2026-11`,
    document: { contentType: 'application/pdf', bytes: pdf, filename: 'faktura-100001.pdf', title: 'Faktura 100001' },
    ...overrides,
  };
}

/** Submits and waits for the delivery queue, as a caller waiting for the hand-over would. */
async function deliver(input: DocumentSubmission) {
  const { document } = await t.stack.delivery.service.submit(input);
  await t.stack.delivery.queue.idle();
  return { documentId: document.documentId, status: await t.stack.delivery.service.deliveryStatus(document.documentId) };
}

type Outbound = { id: string; channel: string; kind: string; customerId: string | null; invoiceId?: string; to: string; contentType: string; createdAt: string; documentId?: string };

async function outboxItems(query = ''): Promise<Outbound[]> {
  const response = await t.call('GET', `/_local/outbox${query}`);
  expect(response.status).toBe(200);
  return response.body.items as Outbound[];
}

async function content(id: string): Promise<{ type: string; bytes: Buffer }> {
  const response = await fetch(`${t.stack.url}/_local/outbox/${id}/content`);
  expect(response.status).toBe(200);
  return { type: response.headers.get('content-type') ?? '', bytes: Buffer.from(await response.arrayBuffer()) };
}

const snsEvent = (message: unknown): SNSEvent => ({
  Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: 'arn:aws:sns:local:000000000000:t', Sns: { MessageId: 'm-1', Message: JSON.stringify(message) } }],
} as unknown as SNSEvent);

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/sns/${name}`, import.meta.url), 'utf8')) as Record<string, any>;

beforeAll(async () => {
  t = await startTestStack();
  agent = await t.token({ role: 'agent' });
  admin = await t.token({ role: 'admin' });
  await t.call('POST', '/_local/clock', { body: { set: '2026-11-24T10:00:00Z' } });
  pdf = await invoicePdf('cus_0000000000000000');
});
afterAll(async () => t.stop());

describe('channels in the order of R-SE-8', () => {
  it('sends an invoice to a customer with an e-invoice address as e-invoice, the XML in the outbox', async () => {
    // Prepare
    const customerId = await customer({ eInvoice: { operator: 'PEPPOL-AP-1', address: '0007:5567321707' }, deliveryChannel: 'email' });
    // Act
    const { documentId, status } = await deliver(submission(customerId, { eInvoiceXml: xml }));
    const [item] = (await outboxItems('?channel=e_invoice')).filter((i) => i.customerId === customerId);
    // Assess
    expect(status).toMatchObject({ status: 'handed_over', channel: 'e_invoice', fallbacks: 0 });
    expect(item).toMatchObject({ channel: 'e_invoice', kind: 'invoice', invoiceId: `inv_${customerId}_2026-11`, to: '0007:5567321707 via PEPPOL-AP-1', contentType: 'application/xml', documentId });
    const sent = await content(item!.id);
    expect(sent.type).toBe('application/xml');
    expect(sent.bytes.toString('utf8')).toBe(xml);
  });

  it('emails a customer who chose email: message/rfc822 with the PDF attached', async () => {
    // Prepare
    const customerId = await customer({ email: 'Eva.Ek@example.se', deliveryChannel: 'email' });
    // Act
    const { status } = await deliver(submission(customerId));
    const [item] = (await outboxItems('?channel=email')).filter((i) => i.customerId === customerId);
    const mail = await content(item!.id);
    // Assess
    expect(status).toMatchObject({ status: 'handed_over', channel: 'email' });
    expect(item!.to).toBe('eva.ek@example.se');
    expect(mail.type).toBe('message/rfc822');
    const text = mail.bytes.toString('ascii');
    expect(text).toMatch(/^To: eva\.ek@example\.se\r$/m);
    expect(text).toMatch(/^Subject: Faktura 100001\r$/m);
    const boundary = /boundary="([^"]+)"/.exec(text)![1]!;
    const attachment = text.split(`--${boundary}`).find((part) => part.includes('Content-Type: application/pdf'))!;
    expect(attachment).toContain('Content-Disposition: attachment; filename="faktura-100001.pdf"');
    const body = attachment.split('\r\n\r\n')[1]!.replace(/\s+/g, '');
    expect(Buffer.from(body, 'base64').equals(Buffer.from(pdf))).toBe(true);
  });

  it('prints to the digital mailbox when the customer chose it, and on paper otherwise', async () => {
    // Prepare
    const mailbox = await customer({ deliveryChannel: 'digital_mailbox' });
    const paper = await customer({ name: 'Per Persson' });
    // Act
    const toMailbox = await deliver(submission(mailbox));
    const toPaper = await deliver(submission(paper));
    const items = await outboxItems();
    // Assess
    expect(toMailbox.status).toMatchObject({ status: 'handed_over', channel: 'digital_mailbox' });
    expect(toPaper.status).toMatchObject({ status: 'handed_over', channel: 'paper' });
    expect(items.find((i) => i.customerId === paper)).toMatchObject({ channel: 'paper', contentType: 'application/pdf', to: 'Per Persson, Storgatan 1, 671 31 Arvika' });
  });

  it('sends a protected identity paper only, the envelope to the forwarding service, never to the customer (R-SE-4)', async () => {
    // Prepare: e-invoice and email on file, both to be passed over
    const customerId = await customer({
      name: 'Hemlig Person', protectedIdentity: true, deliveryChannel: 'email', eInvoice: { operator: 'PEPPOL-AP-1', address: '0007:1234567890' },
      billingAddress: { line1: 'Hemliga vägen 9', postalCode: '671 99', city: 'Arvika', country: 'SE' },
    });
    // Act
    const { status } = await deliver(submission(customerId, { eInvoiceXml: xml }));
    const items = (await outboxItems()).filter((i) => i.customerId === customerId);
    // Assess
    expect(status).toMatchObject({ status: 'handed_over', channel: 'paper', fallbacks: 0 });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ channel: 'paper', to: forwardingAddress });
    expect(JSON.stringify(items)).not.toMatch(/Hemlig|671 99/);
  });
});

describe('fallback, and at least once but never twice', () => {
  it('falls back from a failing channel to the next and records it on the delivery', async () => {
    // Prepare: the local e-invoice operator cannot be reached
    const customerId = await customer({ eInvoice: { operator: 'PEPPOL-AP-1', address: '0007:5560000000' }, deliveryChannel: 'digital_mailbox' });
    t.stack.delivery.failing.set('e_invoice', 'unavailable');
    try {
      // Act
      const { documentId, status } = await deliver(submission(customerId, { eInvoiceXml: xml }));
      const items = (await outboxItems()).filter((i) => i.documentId === documentId);
      // Assess
      expect(status).toMatchObject({ status: 'handed_over', channel: 'digital_mailbox', fallbacks: 1 });
      expect(status!.attempts.map((a) => [a.channel, a.outcome])).toEqual([['e_invoice', 'failed'], ['digital_mailbox', 'handed_over']]);
      expect(items.map((i) => i.channel)).toEqual(['digital_mailbox']);
    } finally {
      t.stack.delivery.failing.delete('e_invoice');
    }
  });

  it('fails the delivery, visibly, when every channel fails', async () => {
    // Prepare
    const customerId = await customer({});
    t.stack.delivery.failing.set('paper', 'refuse');
    try {
      // Act
      const { status } = await deliver(submission(customerId));
      // Assess
      expect(status).toMatchObject({ status: 'failed', reason: 'every channel failed' });
      expect(status!.attempts).toEqual([expect.objectContaining({ channel: 'paper', outcome: 'failed' })]);
    } finally {
      t.stack.delivery.failing.delete('paper');
    }
  });

  it('sends once when the document is submitted twice and the job runs twice', async () => {
    // Prepare
    const customerId = await customer({ deliveryChannel: 'digital_mailbox' });
    const job = (await import('../../lambdas/jobs/deliver-documents.js')) as { handler: (event: SQSEvent) => Promise<unknown> };
    // Act
    const first = await deliver(submission(customerId));
    const again = await deliver(submission(customerId));
    const sqs = { Records: [{ messageId: 'x', body: JSON.stringify({ documentId: first.documentId }), attributes: { ApproximateReceiveCount: '1' } }] } as unknown as SQSEvent;
    await job.handler(sqs);
    await job.handler(sqs);
    const items = (await outboxItems()).filter((i) => i.documentId === first.documentId);
    // Assess
    expect(again.documentId).toBe(first.documentId);
    expect(items).toHaveLength(1);
    expect(again.status).toEqual(first.status);
  });

  it('finds the hand-over of a run that died before recording it, and does not send again', async () => {
    // Prepare: a job handed the letter over, then stopped before the delivery record said so
    const customerId = await customer({});
    const { documentId, status } = await deliver(submission(customerId));
    const repo = new DynamoDeliveryRepository(documentClient({ AWS_REGION: localRegion, DYNAMODB_ENDPOINT: t.stack.dynamoEndpoint }), localTableName);
    const record = (await repo.getDelivery(documentId))!;
    await repo.replaceDelivery({ ...record, status: 'queued', attempts: [], version: record.version + 1 }, record.version);
    // Act
    const redelivered = await t.stack.delivery.service.deliver(documentId, { finalAttempt: false });
    // Assess
    expect(redelivered).toMatchObject({ status: 'handed_over', channel: 'paper' });
    expect(redelivered.attempts.at(-1)!.providerReference).toBe(status!.attempts.at(-1)!.providerReference);
    expect((await outboxItems()).filter((i) => i.documentId === documentId)).toHaveLength(1);
  });
});

/** A delivered document back to `queued`, its paper hand-over claimed `sending` just now by another run (`claimId`). */
async function queuedWithPaperClaimedBy(claimId: string): Promise<{ documentId: string; repo: DynamoDeliveryRepository }> {
  const customerId = await customer({});
  const { documentId } = await deliver(submission(customerId));
  const db = documentClient({ AWS_REGION: localRegion, DYNAMODB_ENDPOINT: t.stack.dynamoEndpoint });
  const repo = new DynamoDeliveryRepository(db, localTableName);
  const record = (await repo.getDelivery(documentId))!;
  await repo.replaceDelivery({ ...record, status: 'queued', attempts: [], version: record.version + 1 }, record.version);
  const now = (await t.call('GET', '/_local/clock')).body.now as string;
  await db.send(new PutCommand({ TableName: localTableName, Item: { pk: `DOC#${documentId}`, sk: 'SEND#paper', entity: 'handOver', documentId, channel: 'paper', status: 'sending', claimId, claimedAt: now } }));
  return { documentId, repo };
}

describe('a run that died mid-send', () => {
  it('leaves the hand-over to that run until its claim is stale, then sends with the same idempotency key: once', async () => {
    // Prepare: a delivery back to queued with its paper hand-over claimed `sending` just now
    const { documentId } = await queuedWithPaperClaimedBy('claim_crashed');
    // Act
    const meanwhile = t.stack.delivery.service.deliver(documentId, { finalAttempt: false });
    await expect(meanwhile).rejects.toThrow(HandOverInProgress);
    await t.call('POST', '/_local/clock', { body: { advance: 'PT3M' } });
    const later = await t.stack.delivery.service.deliver(documentId, { finalAttempt: false });
    // Assess
    expect(later).toMatchObject({ status: 'handed_over', channel: 'paper' });
    expect((await outboxItems()).filter((i) => i.documentId === documentId)).toHaveLength(1);
  });

  it('acknowledges a second message for a document another run is handing over (no retry into the dead-letter queue); the sweep sends it once the claim is stale', async () => {
    // Prepare: as above, a delivery queued with its paper hand-over claimed `sending` just now by another run
    const { documentId, repo } = await queuedWithPaperClaimedBy('claim_other');
    const { handler } = (await import('../../lambdas/jobs/deliver-documents.js')) as { handler: (event: unknown) => Promise<{ batchItemFailures: unknown[] }> };
    const message = { Records: [{ messageId: 'm1', body: JSON.stringify({ documentId }), attributes: { ApproximateReceiveCount: '1' } }] };
    // Act
    const answer = await handler(message);
    const meanwhile = await repo.getDelivery(documentId);
    await t.call('POST', '/_local/clock', { body: { advance: 'PT20M' } });
    await t.stack.delivery.service.requeueStalled();
    await t.stack.delivery.queue.idle();
    // Assess
    expect(answer.batchItemFailures).toEqual([]);
    expect(meanwhile?.status).toBe('queued');
    expect((await repo.getDelivery(documentId))?.status).toBe('handed_over');
    expect((await outboxItems()).filter((i) => i.documentId === documentId)).toHaveLength(1);
  });
});

describe('the documents read API', () => {
  let owner: string;
  let documentId: string;
  let protectedDocument: string;
  let protectedOwner: string;

  beforeAll(async () => {
    owner = await customer({});
    documentId = (await deliver(submission(owner, { kind: 'reminder', sourceKey: `dun_x_${owner}#1`, caseId: `dun_x_${owner}`, document: { contentType: 'application/pdf', bytes: pdf, filename: 'paminnelse.pdf', title: 'Påminnelse' } }))).documentId;
    protectedOwner = await customer({ protectedIdentity: true });
    protectedDocument = (await deliver(submission(protectedOwner))).documentId;
  });

  it('shows an agent the document with its delivery, and its bytes', async () => {
    // Act
    const meta = await t.call('GET', `/v1/documents/${documentId}`, { token: agent });
    const bytes = await fetch(`${t.stack.url}/v1/documents/${documentId}/content`, { headers: { authorization: `Bearer ${agent}` } });
    // Assess
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({ documentId, kind: 'reminder', customerId: owner, caseId: `dun_x_${owner}`, contentType: 'application/pdf', delivery: { status: 'handed_over', channel: 'paper' } });
    expect(meta.body.storageKey).toBeUndefined();
    expect(bytes.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await bytes.arrayBuffer()).equals(Buffer.from(pdf))).toBe(true);
  });

  it("lets a customer read their own documents and nobody else's", async () => {
    // Prepare
    const own = await t.token({ role: 'customer', customerId: owner });
    const other = await t.token({ role: 'customer', customerId: protectedOwner });
    // Act
    const mine = await t.call('GET', `/v1/documents/${documentId}`, { token: own });
    const list = await t.call('GET', `/v1/customers/${owner}/documents`, { token: own });
    const notMine = await t.call('GET', `/v1/documents/${documentId}`, { token: other });
    const notMyList = await t.call('GET', `/v1/customers/${owner}/documents`, { token: other });
    // Assess
    expect(mine.status).toBe(200);
    expect(list.body.items.map((d: { documentId: string }) => d.documentId)).toEqual([documentId]);
    expect(notMine.status).toBe(404);
    expect(notMyList.status).toBe(404);
  });

  it("never shows a protected identity's document to a role that may not see the identity (R-SE-4)", async () => {
    // Prepare
    const self = await t.token({ role: 'customer', customerId: protectedOwner });
    const ops = await t.token({ role: 'ops' });
    // Act
    const asCustomer = await t.call('GET', `/v1/documents/${protectedDocument}/content`, { token: self });
    const asOps = await t.call('GET', `/v1/documents/${protectedDocument}`, { token: ops });
    const asAdmin = await t.call('GET', `/v1/documents/${protectedDocument}`, { token: admin });
    // Assess
    expect(asCustomer.status).toBe(404);
    expect(asOps.status).toBe(403);
    expect(asAdmin.status).toBe(200);
  });

  it('answers an unknown or malformed document id with 404, a bad limit with 422', async () => {
    // Act
    const unknown = await t.call('GET', '/v1/documents/doc_000000000000000000000000', { token: agent });
    const malformed = await t.call('GET', '/v1/documents/..%2Fetc', { token: agent });
    const badLimit = await t.call('GET', `/v1/customers/${owner}/documents?limit=0`, { token: agent });
    // Assess
    expect(unknown.status).toBe(404);
    expect([404, 400]).toContain(malformed.status);
    expect(badLimit.status).toBe(422);
    expect(badLimit.body.errors[0].path).toBe('limit');
  });
});

describe('email bounces (SES events)', () => {
  it('marks a permanently bounced address, and the next document takes the next channel', async () => {
    // Prepare
    const customerId = await customer({ email: 'gone@example.se', deliveryChannel: 'email' });
    const first = await deliver(submission(customerId));
    const bounce = fixture('ses-permanent-bounce.json');
    bounce.bounce.bouncedRecipients[0].emailAddress = 'gone@example.se';
    bounce.mail.tags.customerId = [customerId];
    bounce.mail.tags.documentId = [first.documentId];
    const events = (await import('../../lambdas/jobs/email-events.js')) as { handler: (event: SNSEvent) => Promise<{ recorded: number }> };
    // Act
    const recorded = await events.handler(snsEvent(bounce));
    await events.handler(snsEvent(bounce));
    const next = await deliver(submission(customerId, { sourceKey: `inv_${customerId}_2026-12`, invoiceId: `inv_${customerId}_2026-12` }));
    // Assess
    expect(first.status).toMatchObject({ channel: 'email' });
    expect(recorded.recorded).toBe(1);
    expect(next.status).toMatchObject({ status: 'handed_over', channel: 'paper' });
    expect(next.status!.attempts[0]).toMatchObject({ channel: 'email', outcome: 'skipped', reason: expect.stringMatching(/bounced/) });
  });
});

describe('the outbox shows everything, SMS included', () => {
  let outageId: string;
  const phone = '+46701009001';
  const neighbour = '+46701009002';

  beforeAll(async () => {
    const ops = await t.token({ role: 'ops' });
    const csv = ['phone,street,number,postalCode,city', `${phone},Sjögatan,1,67131,Arvika`, `${neighbour},Sjögatan,3,67131,Arvika`].join('\n');
    const imported = await t.call('POST', '/v1/address-register/imports', { token: admin, raw: csv, headers: { 'content-type': 'text/csv' } });
    expect(imported.status).toBe(200);
    const created = await t.call('POST', '/v1/outages', {
      token: ops, body: { category: 'leak', title: 'Läcka', message: 'Vattnet är avstängt på Sjögatan.', area: { streets: [{ street: 'Sjögatan', city: 'Arvika' }] } },
    });
    expect(created.status).toBe(201);
    outageId = created.body.outageId;
  });

  it('lists SMS beside documents, with the text as its content; /_local/sms is as before', async () => {
    // Act
    const sms = (await outboxItems('?channel=sms')).filter((i) => i.to === phone);
    const text = await content(sms[0]!.id);
    const legacy = (await t.call('GET', '/_local/sms')).body.items as { to: string; channel: string }[];
    // Assess
    expect(sms).toEqual([expect.objectContaining({ channel: 'sms', kind: 'outage_alert', customerId: null, outageId, contentType: 'text/plain; charset=utf-8' })]);
    expect(text.bytes.toString('utf8')).toContain('Sjögatan');
    expect(legacy.some((item) => item.to === phone)).toBe(true);
    expect(legacy.every((item) => item.channel === 'sms' || item.channel === 'voice')).toBe(true);
  });

  it('filters by kind and time and pages with a cursor', async () => {
    // Act
    const invoices = await outboxItems('?kind=invoice');
    const page1 = await t.call('GET', '/_local/outbox?kind=invoice&limit=2');
    const page2 = await t.call('GET', `/_local/outbox?kind=invoice&limit=2&cursor=${page1.body.nextCursor}`);
    const future = await outboxItems('?since=2030-01-01T00:00:00Z');
    const bad = await t.call('GET', '/_local/outbox?channel=pigeon');
    // Assess
    expect(invoices.length).toBeGreaterThan(4);
    expect(invoices.every((i) => i.kind === 'invoice')).toBe(true);
    expect([...page1.body.items, ...page2.body.items].map((i: Outbound) => i.id)).toEqual(invoices.slice(0, 4).map((i) => i.id));
    expect(future).toEqual([]);
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe('channel');
  });

  it('moves a recipient from sent to delivered on its receipt, once', async () => {
    // Prepare
    const repo = new DynamoAlertRepository(documentClient({ AWS_REGION: localRegion, DYNAMODB_ENDPOINT: t.stack.dynamoEndpoint }), localTableName);
    const [recipient] = (await repo.listRecipients(outageId, '0', 0)).filter((r) => r.phone === phone);
    const receipt = fixture('sms-text-delivered.json');
    receipt.messageId = recipient!.providerMessageId;
    receipt.destinationPhoneNumber = phone;
    const events = (await import('../../lambdas/jobs/sms-events.js')) as { handler: (event: SNSEvent) => Promise<{ settled: number }> };
    // Act
    const first = await events.handler(snsEvent(receipt));
    const again = await events.handler(snsEvent(receipt));
    const [after] = (await repo.listRecipients(outageId, '0', 0)).filter((r) => r.phone === phone);
    // Assess
    expect(recipient!.status).toBe('sent');
    expect(first.settled).toBe(1);
    expect(again.settled).toBe(0);
    expect(after!.status).toBe('delivered');
  });

  it('counts a message the network refused after accepting it as failed in the outage, once', async () => {
    // Prepare
    const ops = await t.token({ role: 'ops' });
    const repo = new DynamoAlertRepository(documentClient({ AWS_REGION: localRegion, DYNAMODB_ENDPOINT: t.stack.dynamoEndpoint }), localTableName);
    const [recipient] = (await repo.listRecipients(outageId, '0', 0)).filter((r) => r.phone === neighbour);
    const receipt = fixture('sms-text-delivered.json');
    receipt.eventType = 'TEXT_CARRIER_UNREACHABLE';
    receipt.messageStatus = 'CARRIER_UNREACHABLE';
    receipt.messageId = recipient!.providerMessageId;
    receipt.destinationPhoneNumber = neighbour;
    const events = (await import('../../lambdas/jobs/sms-events.js')) as { handler: (event: SNSEvent) => Promise<{ settled: number }> };
    const before = await t.call('GET', `/v1/outages/${outageId}`, { token: ops });
    // Act
    await events.handler(snsEvent(receipt));
    await events.handler(snsEvent(receipt));
    const after = await t.call('GET', `/v1/outages/${outageId}`, { token: ops });
    // Assess
    expect(recipient!.status).toBe('sent');
    expect(after.body.failed).toBe(before.body.failed + 1);
    expect(after.body.sent).toBe(before.body.sent - 1);
  });

  it('opts a number out when it answers STOPP (R-SMS-3)', async () => {
    // Prepare
    const repo = new DynamoAlertRepository(documentClient({ AWS_REGION: localRegion, DYNAMODB_ENDPOINT: t.stack.dynamoEndpoint }), localTableName);
    const inbound = fixture('sms-inbound-stop.json');
    inbound.originationNumber = phone;
    const handler = (await import('../../lambdas/jobs/sms-inbound.js')) as { handler: (event: SNSEvent) => Promise<{ optedOut: number }> };
    // Act
    const result = await handler.handler(snsEvent(inbound));
    await handler.handler(snsEvent(inbound));
    // Assess
    expect(result.optedOut).toBe(1);
    expect([...(await repo.optedOut([phone]))]).toEqual([phone]);
  });
});

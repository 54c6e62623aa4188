/**
 * A delivery a killed `npm start` left mid-send (docs/DELIVERY.md, "At least once, never twice"):
 * its hand-over claimed `sending`, its message still in the durable queue. The restarted stack
 * delivers the message again at once (no visibility timeout, unlike SQS's 540 s), so the claim
 * of the dead process must not stop it: the document is handed over, once, and nothing is
 * dead-lettered or left `queued` (issue 15).
 */
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../lambdas/adapters/dynamo/client.js';
import { DynamoDeliveryRepository } from '../../lambdas/adapters/dynamo/delivery-repository.js';
import { devKeys } from '../../local/dev-auth.js';
import { localRegion, localTableName } from '../../local/stack.js';
import { spawnStack, swedishPerson, until, waterFacility, type SpawnedStack } from './support.js';

describe('a delivery killed mid-send', () => {
  it('is handed over once after the restart, although its claim is fresh', async () => {
    // Prepare: an invoice delivered by a billing run, then put back as a killed run leaves it
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    const dataDir = mkdtempSync(join(tmpdir(), 'utility-delivery-restart-'));
    const keys = await devKeys(join(dataDir, 'dev-signing-key.json'));
    const admin = await keys.sign({ role: 'admin', subject: 'delivery-restart' });
    let stack: SpawnedStack = await spawnStack(dataDir);
    try {
      await stack.call('POST', '/_local/clock', { body: { set: '2027-01-05T08:00:00Z' } });
      await stack.call('PUT', '/v1/tariffs/waste', {
        token: admin, body: { effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 20_000, unitPrice: 0, unit: 'none', connectionFee: 0 },
      });
      const customer = await stack.call('POST', '/v1/customers', { token: admin, body: swedishPerson({ deliveryChannel: 'paper' }) });
      expect(customer.status).toBe(201);
      const customerId = customer.body.customerId as string;
      await stack.call('POST', `/v1/customers/${customerId}/facilities`, { token: admin, body: waterFacility({ services: [{ service: 'waste', startDate: '2026-11-01' }] }) });
      const run = await stack.call('POST', '/v1/billing-runs', { token: admin, body: { runMonth: '2027-01' } });
      expect(run.status).toBe(202);
      const runId = run.body.runId as string;
      await until(async () => (await stack.call('GET', `/v1/billing-runs/${runId}`, { token: admin })).body, (r) => r.status === 'completed', `run ${runId}`);
      const invoices = (await stack.call('GET', `/v1/customers/${customerId}/invoices`, { token: admin })).body.items as { invoiceId: string }[];
      expect(invoices).toHaveLength(1);
      const invoiceId = invoices[0]!.invoiceId;
      const documentOf = async () => ((await stack.call('GET', `/v1/invoices/${invoiceId}`, { token: admin })).body?.documents as { documentId: string }[] | undefined)?.[0]?.documentId;
      const documentId = (await until(documentOf, (id) => id !== undefined, `the document of ${invoiceId}`))!;
      const deliveryOf = async () => (await stack.call('GET', `/v1/documents/${documentId}`, { token: admin })).body.delivery as { status: string; channel?: string };
      await until(deliveryOf, (d) => d.status === 'handed_over', `the first hand-over of ${documentId}`);
      const db = documentClient({ AWS_REGION: localRegion, DYNAMODB_ENDPOINT: stack.stack.dynamoEndpoint });
      const repo = new DynamoDeliveryRepository(db, localTableName);
      const record = (await repo.getDelivery(documentId))!;
      const { channel: _channel, handedOverAt: _at, ...unsettled } = record;
      await repo.replaceDelivery({ ...unsettled, status: 'queued', attempts: [], version: record.version + 1 }, record.version);
      const now = (await stack.call('GET', '/_local/clock')).body.now as string;
      await db.send(new PutCommand({ TableName: localTableName, Item: { pk: `DOC#${documentId}`, sk: 'SEND#paper', entity: 'handOver', documentId, channel: 'paper', status: 'sending', claimId: 'claim_killed', claimedAt: now } }));
      const queueDir = join(dataDir, 'queues', 'deliver-documents');
      const file = join(queueDir, `${Date.now().toString().padStart(15, '0')}-000000000-${randomUUID()}.json`);
      writeFileSync(`${file}.tmp`, JSON.stringify({ body: JSON.stringify({ documentId }), enqueuedAt: new Date().toISOString() }));
      renameSync(`${file}.tmp`, file);
      db.destroy();
      await stack.kill();

      // Act
      stack = await spawnStack(dataDir);
      const delivered = await until(
        async () => ({ ...(await deliveryOf()), backlog: readdirSync(queueDir).filter((name) => name.endsWith('.json')).length }),
        (d) => d.status !== 'queued' && d.backlog === 0,
        `the delivery of ${documentId} after the restart`,
      );

      // Assess
      expect(delivered).toMatchObject({ status: 'handed_over', channel: 'paper', backlog: 0 });
      const deadLetters = join(queueDir, 'dead-letters');
      expect(existsSync(deadLetters) ? readdirSync(deadLetters) : []).toEqual([]);
      const outbox = (await stack.call('GET', `/_local/outbox?kind=invoice`)).body.items as { documentId?: string }[];
      expect(outbox.filter((item) => item.documentId === documentId)).toHaveLength(1);
    } catch (error) {
      console.error(`the last stack output:\n${stack.lines.join('').slice(-4_000)}`);
      throw error;
    } finally {
      await stack.kill().catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});

/** The repository on dynalite: writes without transactions that stay whole when repeated or cut short. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import dynalite from 'dynalite';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../lambdas/adapters/dynamo/client.js';
import { DynamoCustomerRepository } from '../../lambdas/adapters/dynamo/customer-repository.js';
import { createTableInput } from '../../lambdas/adapters/table-schema.js';
import type { Customer, CustomerLogEntry } from '../../lambdas/domain/customers/model.js';

let server: Server;
let repo: DynamoCustomerRepository;
let db: ReturnType<typeof documentClient>;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const raw = new DynamoDBClient({ endpoint, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  await raw.send(new CreateTableCommand(createTableInput('customers-it')));
  process.env.AWS_ACCESS_KEY_ID ??= 'x';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'x';
  db = documentClient({ AWS_REGION: 'eu-north-1', DYNAMODB_ENDPOINT: endpoint });
  repo = new DynamoCustomerRepository(db, 'customers-it');
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

const customer = (id: string): Customer => ({
  customerId: id, name: 'Anna Andersson', kind: 'person', country: 'SE', nationalId: '191212121212',
  nationalIdType: 'personnummer', category: 'consumer',
  billingAddress: { line1: 'Storgatan 1', postalCode: '671 31', city: 'Arvika', country: 'SE' },
  foreign: false, protectedIdentity: false, knownBadPayer: false,
  createdAt: '2026-11-23T09:00:00.000Z', updatedAt: '2026-11-23T09:00:00.000Z', version: 1,
});
const entry = (customerId: string, entryId: string): CustomerLogEntry => ({
  entryId, customerId, at: '2026-11-23T09:00:00.000Z', author: { subject: 'agent-1', role: 'agent' }, type: 'created',
});

describe('customer log (R-SE-2) without transactions', () => {
  it('writing the same entry twice keeps one', async () => {
    // Act
    await repo.appendLog(entry('cus_a', 'log_1'));
    await repo.appendLog(entry('cus_a', 'log_1'));
    // Assess
    expect((await repo.listLog('cus_a', 10)).items).toHaveLength(1);
  });

  it('a write leaves no pending entries behind, so reads stay reads', async () => {
    // Act
    await repo.insertCustomer(customer('cus_d'), [entry('cus_d', 'log_5')]);
    const raw = await db.send(new GetCommand({ TableName: 'customers-it', Key: { pk: 'CUS#cus_d', sk: 'PROFILE' } }));
    // Assess
    expect(raw.Item).not.toHaveProperty('pendingLog');
    expect((await repo.listLog('cus_d', 10)).items.map((e) => e.entryId)).toEqual(['log_5']);
  });

  it('a change whose log copy was cut short by a crash is completed by the next read', async () => {
    // Prepare: the state a crash leaves: the record written with its pending entry, no log item
    await db.send(new PutCommand({
      TableName: 'customers-it',
      Item: { pk: 'CUS#cus_b', sk: 'PROFILE', ...customer('cus_b'), pendingLog: [entry('cus_b', 'log_2')] },
    }));
    expect((await repo.listLog('cus_b', 10)).items).toHaveLength(0);
    // Act
    const read = await repo.getCustomer('cus_b');
    await repo.getCustomer('cus_b');
    // Assess
    expect(read).not.toHaveProperty('pendingLog');
    expect((await repo.listLog('cus_b', 10)).items).toEqual([expect.objectContaining({ entryId: 'log_2', type: 'created' })]);
  });

  it('a replace with a stale version is a conflict and writes nothing', async () => {
    // Prepare
    await repo.insertCustomer(customer('cus_c'), [entry('cus_c', 'log_3')]);
    await repo.replaceCustomer({ ...customer('cus_c'), name: 'Anna B', version: 2 }, 1, []);
    // Act
    const stale = repo.replaceCustomer({ ...customer('cus_c'), name: 'Anna C', version: 2 }, 1, [entry('cus_c', 'log_4')]);
    // Assess
    await expect(stale).rejects.toThrow(/changed by someone else/);
    expect((await repo.getCustomer('cus_c'))?.name).toBe('Anna B');
    expect((await repo.listLog('cus_c', 10)).items.map((e) => e.entryId)).toEqual(['log_3']);
  });
});

describe('national id claims', () => {
  it('the second claim of a number names the holder', async () => {
    expect(await repo.claimNationalId('SE#191212121212', 'cus_x')).toBeUndefined();
    expect(await repo.claimNationalId('SE#191212121212', 'cus_y')).toBe('cus_x');
  });

  it('a fresh claim is not taken over; a stale one is', async () => {
    await repo.claimNationalId('SE#198112189876', 'cus_crashed');
    expect(await repo.takeOverNationalId('SE#198112189876', 'cus_crashed', 'cus_new', '2000-01-01T00:00:00Z')).toBe(false);
    expect(await repo.takeOverNationalId('SE#198112189876', 'cus_crashed', 'cus_new', '2999-01-01T00:00:00Z')).toBe(true);
    expect(await repo.findCustomerIdByNationalId('SE#198112189876')).toBe('cus_new');
  });
});

/**
 * The alert tests' DynamoDB: a dynalite of their own with the product's table, the alert and
 * job repositories on it, and the settings of a Swedish utility (Arvika) they all run with.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import dynalite from 'dynalite';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../lambdas/adapters/dynamo/client.js';
import { DynamoAlertRepository } from '../../lambdas/adapters/dynamo/alert-repository.js';
import { DynamoJobRepository } from '../../lambdas/adapters/dynamo/job-repository.js';
import { createTableInput } from '../../lambdas/adapters/table-schema.js';
import type { AlertSettings } from '../../lambdas/domain/alerts/service.js';

export const arvikaAlertSettings: AlertSettings = {
  department: 'Arvika Vatten', infoUrl: 'https://www.arvika.se/driftinfo', contact: '0570-816 00', capSender: 'driftinfo@arvika.se',
  country: 'SE', zone: 'Europe/Stockholm', defaultLanguage: 'sv', maxSegments: 3, sendRatePerSecond: 1000,
  pricePerSegment: { amount: 45, currency: 'SEK' }, reportsPerClientPerHour: 10,
};

export interface AlertsTable {
  readonly db: DynamoDBDocumentClient;
  readonly repo: DynamoAlertRepository;
  readonly jobRepo: DynamoJobRepository;
  close(): Promise<void>;
}

/** Starts dynalite on a free loopback port and creates `tableName` on it. */
export async function startAlertsTable(tableName: string): Promise<AlertsTable> {
  const server = dynalite({ createTableMs: 0 }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const raw = new DynamoDBClient({ endpoint, region: 'eu-north-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  await raw.send(new CreateTableCommand(createTableInput(tableName)));
  process.env.AWS_ACCESS_KEY_ID ??= 'x';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'x';
  const db = documentClient({ AWS_REGION: 'eu-north-1', DYNAMODB_ENDPOINT: endpoint });
  return {
    db,
    repo: new DynamoAlertRepository(db, tableName),
    jobRepo: new DynamoJobRepository(db, tableName),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

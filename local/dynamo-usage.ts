/**
 * The embedded stack's DynamoDB usage meter (`DYNAMODB_USAGE_FILE=<path> npm start`; used by
 * `npm run bench:scale`): every call of every client, counted per second, and the writes per
 * partition per second — the table partition (`pk`) and the index partitions a put carries
 * (`gsiNpk`) — so a run shows its hottest partition against DynamoDB's 1,000 WCU a second per
 * partition (each write is at least 1 WCU; more for items over 1 KB). Updates and deletes count
 * on their table partition only (their index keys are not in the call). The file is rewritten
 * every two seconds and at stop: `{ seconds: { "<epoch second>": { calls, writes: { "<partition>": n } } } }`.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { observeDynamoCalls, type ObservedCall } from '../lambdas/adapters/dynamo/client.js';

type Item = Record<string, unknown>;

function writtenPartitions(call: ObservedCall): string[] {
  const input = call.input;
  const ofItem = (item: Item | undefined) => {
    if (!item) return [];
    return [item.pk, item.gsi1pk, item.gsi2pk, item.gsi3pk, item.gsi4pk].filter((key) => key !== undefined).map(String);
  };
  switch (call.command) {
    case 'PutItemCommand':
      return ofItem(input.Item as Item);
    case 'UpdateItemCommand':
    case 'DeleteItemCommand':
      return [String((input.Key as Item).pk)];
    case 'BatchWriteItemCommand':
      return Object.values(input.RequestItems as Record<string, { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }[]>)
        .flat()
        .flatMap((request) => (request.PutRequest ? ofItem(request.PutRequest.Item) : [String(request.DeleteRequest?.Key.pk)]));
    default:
      return [];
  }
}

export function meterDynamoUsage(file: string): { stop(): void } {
  const seconds = new Map<number, { calls: number; writes: Map<string, number> }>();
  const undo = observeDynamoCalls((call) => {
    const second = Math.floor(call.at / 1000);
    let bucket = seconds.get(second);
    if (!bucket) seconds.set(second, (bucket = { calls: 0, writes: new Map() }));
    bucket.calls++;
    for (const partition of writtenPartitions(call)) bucket.writes.set(partition, (bucket.writes.get(partition) ?? 0) + 1);
  });
  const save = () => {
    const json: Record<string, { calls: number; writes: Record<string, number> }> = {};
    for (const [second, bucket] of seconds) json[second] = { calls: bucket.calls, writes: Object.fromEntries(bucket.writes) };
    writeFileSync(`${file}.tmp`, JSON.stringify({ seconds: json }));
    renameSync(`${file}.tmp`, file);
  };
  const timer = setInterval(save, 2_000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      undo();
      save();
    },
  };
}

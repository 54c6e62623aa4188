/** One DynamoDB document client per process, at module scope (STYLE.md 4). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config.js';
import { traced } from '../observability.js';

/** A DynamoDB call as the client sent it: the low-level command's name (`PutItemCommand`), the document client's input (before marshalling). */
export interface ObservedCall {
  readonly command: string;
  readonly input: Record<string, unknown>;
  readonly at: number;
}

const observers = new Set<(call: ObservedCall) => void>();

/**
 * Lets the embedded stack's usage meter (local/dynamo-usage.ts) see every call of every client
 * made after it; returns the undo. Nothing in AWS registers one.
 */
export function observeDynamoCalls(observer: (call: ObservedCall) => void): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

export function documentClient(config: Pick<Config, 'AWS_REGION' | 'DYNAMODB_ENDPOINT'>): DynamoDBDocumentClient {
  const client = traced(new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
  }));
  const document = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  document.middlewareStack.add(
    (next, context) => async (args) => {
      if (observers.size > 0) {
        const call = { command: String(context.commandName), input: args.input as Record<string, unknown>, at: Date.now() };
        for (const observer of observers) observer(call);
      }
      return next(args);
    },
    { step: 'initialize', name: 'observeDynamoCalls' },
  );
  return document;
}

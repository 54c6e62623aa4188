/** What every repository does with the one table: read whole queries, write once, strip storage attributes. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

export type Item = Record<string, unknown>;

/** Keys, index keys and bookkeeping attributes: never part of a domain record. */
const storageAttributes = [
  'pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'gsi4pk', 'gsi4sk', 'entity', 'pendingLog', 'appliedPaymentIds', 'countedPages', 'countedParts',
];

export function fromItem<T>(item: Item): T {
  const copy: Item = { ...item };
  for (const name of storageAttributes) delete copy[name];
  return copy as T;
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

export class Table {
  constructor(
    readonly db: DynamoDBDocumentClient,
    readonly name: string,
  ) {}

  /** Every page of a query. */
  async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    const items: Item[] = [];
    let ExclusiveStartKey: Item | undefined;
    do {
      const result = await this.db.send(new QueryCommand({ TableName: this.name, ...input, ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}) }));
      items.push(...(result.Items ?? []));
      ExclusiveStartKey = result.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  /** A conditional put: false when an item with this key exists (writing twice keeps one). */
  async putIfAbsent(item: Item): Promise<boolean> {
    try {
      await this.db.send(new PutCommand({ TableName: this.name, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async get<T>(pk: string, sk: string): Promise<T | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.name, Key: { pk, sk }, ConsistentRead: true }));
    return result.Item ? fromItem<T>(result.Item) : undefined;
  }
}

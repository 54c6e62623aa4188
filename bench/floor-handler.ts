/**
 * The cold-start floor: what every handler of the service pays at module scope anyway,
 * the same SDK clients as lambdas/adapters/dynamo/client.ts, and nothing else.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: process.env.AWS_REGION }), {
  marshallOptions: { removeUndefinedValues: true },
});

export const handler = async () => ({ statusCode: 200, body: typeof documentClient.send });

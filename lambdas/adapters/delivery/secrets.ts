/**
 * A provider's API key from Secrets Manager, read once per cold start (the promise is kept).
 * The secret is either the key itself or JSON `{ "apiKey": "..." }`.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export function secretApiKey(client: SecretsManagerClient, secretId: string): () => Promise<string> {
  let cached: Promise<string> | undefined;
  return () => {
    cached ??= (async () => {
      const result = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      const value = result.SecretString ?? '';
      let key = value;
      if (value.trim().startsWith('{')) {
        const parsed = JSON.parse(value) as { apiKey?: unknown };
        key = typeof parsed.apiKey === 'string' ? parsed.apiKey : '';
      }
      if (!key) throw new Error(`the secret ${secretId} holds no API key`);
      return key;
    })();
    // A failed read is tried again by the next call, not cached.
    cached.catch(() => (cached = undefined));
    return cached;
  };
}

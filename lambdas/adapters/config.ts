/**
 * Configuration from one module, parsed once at cold start (STYLE.md 3). Missing or
 * malformed settings fail the cold start instead of hiding behind defaults.
 */
import * as z from 'zod';

const schema = z.object({
  TABLE_NAME: z.string().min(1),
  /** Set only where DynamoDB is not the AWS endpoint (the embedded stack). */
  DYNAMODB_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().min(1),
  /** Largest accepted request body in bytes; larger ones get 413. */
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(65536),
});

export type Config = z.infer<typeof schema>;

let cached: Config | undefined;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  if (!cached) {
    const parsed = schema.safeParse(env);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((issue) => issue.path.join('.')).join(', ');
      throw new Error(`Invalid configuration: ${fields}`);
    }
    cached = parsed.data;
  }
  return cached;
}

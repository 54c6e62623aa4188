/**
 * How the deployment sends documents: the CDK context key `delivery` (cdk.json, or
 * `-c delivery='{...}'`), validated at synth time (docs/DELIVERY.md, docs/DEPLOY.md).
 *
 * - `emailIdentity`: the SES identity to verify, a domain (`arvika.se`, DKIM records to publish)
 *   or one address; `emailFromAddress` must belong to it.
 * - `printService`: the print service's API (digital mailbox or print and post), its key in
 *   Secrets Manager (a secret name; the value the key itself or `{"apiKey": "..."}`).
 * - `eInvoiceOperator`: the e-invoice operator's API and key, or `null` for a utility without an
 *   operator contract (then e-invoice customers get the next channel).
 * - `letters`: what every letter and e-invoice names: the utility (address, customer-service
 *   phone, payment account), the e-invoice seller, the collection agency, the social services office.
 *
 * No aws-cdk-lib import here: tests and tools can use it without building a stack.
 */
import * as z from 'zod';
import type { ContextSource } from './cors.js';
import { letterSettingsSchema } from '../lambdas/adapters/letters-config.js';

export const deliveryContextKey = 'delivery';

const provider = z.strictObject({
  apiUrl: z.url().refine((url) => url.startsWith('https://'), 'must be an https URL'),
  apiSecretName: z.string().regex(/^[A-Za-z0-9/_+=.@-]{1,512}$/, 'a Secrets Manager secret name'),
});

const schema = z
  .strictObject({
    emailIdentity: z.string().min(3).max(253),
    emailFromAddress: z.email(),
    emailFromName: z.string().min(1).max(100),
    printService: provider,
    eInvoiceOperator: provider.nullable(),
    /** The letterhead, the e-invoice seller, the collection agency and the social services office (lambdas/adapters/letters-config.ts). */
    letters: letterSettingsSchema,
  })
  .superRefine((value, ctx) => {
    const domain = value.emailFromAddress.split('@')[1]!.toLowerCase();
    const identity = value.emailIdentity.toLowerCase();
    if (identity !== value.emailFromAddress.toLowerCase() && identity !== domain && !domain.endsWith(`.${identity}`)) {
      ctx.addIssue({ code: 'custom', path: ['emailFromAddress'], message: `must be an address of the identity ${value.emailIdentity}` });
    }
  });

export type DeliverySettings = z.infer<typeof schema>;

export function deliverySettingsFromContext(scope: ContextSource): DeliverySettings {
  return parseDeliverySettings(scope.node.tryGetContext(deliveryContextKey));
}

export function parseDeliverySettings(raw: unknown): DeliverySettings {
  let value = raw;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      throw new Error(`Context "${deliveryContextKey}" must be a JSON object (see docs/DEPLOY.md).`);
    }
  }
  if (value === undefined || value === null) {
    throw new Error(`Context "${deliveryContextKey}" is missing: documents cannot be sent without the email identity and the print service (see docs/DEPLOY.md).`);
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) =>
    issue.code === 'unrecognized_keys' ? `unknown ${issue.keys.join(', ')}` : `${issue.path.join('.') || '(root)'} ${issue.message}`,
  );
  throw new Error(`Context "${deliveryContextKey}" is invalid: ${problems.join('; ')}.`);
}

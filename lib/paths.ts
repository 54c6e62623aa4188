import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root: route-group entries (`lambdas/http/customers.ts`) are relative to it. */
export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export function fromRepoRoot(relativePath: string): string {
  return path.join(repoRoot, relativePath);
}

/** Request shapes of the document read API (API.md "Documents"), as zod schemas. */
import * as z from 'zod';

export const DocumentListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(1024).optional(),
});

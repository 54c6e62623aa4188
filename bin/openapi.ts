/** `npm run openapi`: writes openapi.json from the route table and zod schemas. */
import { writeFileSync } from 'node:fs';
import { renderOpenApi } from '../lambdas/http/openapi.js';

writeFileSync(new URL('../openapi.json', import.meta.url), renderOpenApi());
console.log('wrote openapi.json');

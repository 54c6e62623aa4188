import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { renderOpenApi } from '../../../lambdas/http/openapi.js';
import { routeKey, routes } from '../../../lambdas/http/routes.js';

describe('openapi.json', () => {
  it('is the one `npm run openapi` generates now (run it after changing a schema or route)', () => {
    const committed = readFileSync(new URL('../../../openapi.json', import.meta.url), 'utf8');
    expect(committed).toBe(renderOpenApi());
  });

  it('documents every route with its request schema', () => {
    const document = JSON.parse(renderOpenApi()) as { paths: Record<string, Record<string, { operationId: string; requestBody?: unknown }>> };
    for (const route of routes) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect({ route: routeKey(route), operationId: operation?.operationId }).toEqual({ route: routeKey(route), operationId: route.operationId });
      expect(operation?.requestBody !== undefined).toBe((route.body ?? route.rawBody) !== undefined);
    }
  });
});

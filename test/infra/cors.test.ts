import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { routes } from '../../lambdas/http/routes.js';
import { corsOriginsFromContext, corsPolicy, parseCorsOrigins } from '../../lib/cors.js';

describe('corsPolicy', () => {
  it('allows exactly the methods of the route table, the three request headers (Idempotency-Key too), for an hour', () => {
    // Assess
    expect([...corsPolicy.allowMethods].sort()).toEqual([...new Set(routes.map((route) => route.method))].sort());
    expect(corsPolicy.allowHeaders).toEqual(['Authorization', 'Content-Type', 'Idempotency-Key']);
    expect(corsPolicy.maxAgeSeconds).toBe(3600);
  });
});

describe('corsOriginsFromContext', () => {
  const scope = (value: unknown) => ({ node: { tryGetContext: (key: string) => (key === 'corsOrigins' ? value : undefined) } });

  it('reads a list from cdk.json and a JSON or comma-separated string from the command line', () => {
    // Prepare
    const origins = ['https://minasidor.example.se', 'https://kundtjanst.example.se'];

    // Act // Assess
    expect(corsOriginsFromContext(scope(origins))).toEqual(origins);
    expect(corsOriginsFromContext(scope(JSON.stringify(origins)))).toEqual(origins);
    expect(corsOriginsFromContext(scope(origins.join(', ')))).toEqual(origins);
  });

  it.each([
    [undefined, /non-empty/],
    [[], /non-empty/],
    [['*'], /wildcard/],
    [['https://*.example.se'], /wildcard/],
    [['http://minasidor.example.se'], /https/],
    [['https://minasidor.example.se/'], /bare origin/],
    [['minasidor.example.se'], /not an origin/],
  ])('refuses %j', (value, message) => {
    // Act // Assess
    expect(() => parseCorsOrigins(value)).toThrow(message);
  });

  it('accepts http only for localhost', () => {
    // Act // Assess
    expect(parseCorsOrigins(['http://localhost:5173'])).toEqual(['http://localhost:5173']);
  });
});

describe('lib/ and bin/', () => {
  it('never import from local/ (the embedded stack)', () => {
    // Prepare
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const files = ['lib', 'bin'].flatMap((dir) =>
      readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts'))
        .map((file) => path.join(root, dir, file)),
    );

    // Act
    const offenders = files.filter((file) => /from\s+['"][./]*\/?local\//.test(readFileSync(file, 'utf8')));

    // Assess
    expect(files.length).toBeGreaterThan(0);
    expect(offenders).toEqual([]);
  });
});

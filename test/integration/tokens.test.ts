/** Tokens at the embedded stack's door (issue 13 item 6, issue 15 item 4). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { importJWK, SignJWT, type JWK } from 'jose';
import { readFileSync } from 'node:fs';
import { devAudience, devIssuer, devKeys } from '../../local/dev-auth.js';
import { startTestStack, type TestStack } from './support.js';

let t: TestStack;
const otherDir = mkdtempSync(join(tmpdir(), 'other-data-'));
beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => {
  await t.stop();
  rmSync(otherDir, { recursive: true, force: true });
});

describe('tokens', () => {
  it("answers a token made for another data folder with 401 that names this stack's folder and the command", async () => {
    // Prepare: a token signed with another data folder's key
    const other = await devKeys(join(otherDir, 'dev-signing-key.json'));
    const token = await other.sign({ role: 'agent' });
    // Act
    const response = await t.call('GET', '/v1/customers?q=Anna', { token });
    // Assess
    expect(response.status).toBe(401);
    expect(response.body.detail).toContain(`DATA_DIR=${t.dataDir}`);
    expect(response.body.detail).toContain('npm run --silent token');
    expect(response.body.detail).not.toContain(token);
  });

  it('refuses a token without exp (401), signed with the right key', async () => {
    // Prepare: this stack's own key, every claim but exp
    const { privateJwk } = JSON.parse(readFileSync(t.stack.signingKeyFile, 'utf8')) as { privateJwk: JWK };
    const key = await importJWK(privateJwk, 'ES256');
    const token = await new SignJWT({ 'cognito:groups': ['agent'], token_use: 'id' })
      .setProtectedHeader({ alg: 'ES256' }).setIssuer(devIssuer).setAudience(devAudience).setSubject('agent-1').setIssuedAt()
      .sign(key);
    // Act
    const response = await t.call('GET', '/v1/customers?q=Anna', { token });
    // Assess
    expect(response.status).toBe(401);
  });

  it('accepts this stack\'s own token', async () => {
    const response = await t.call('GET', '/v1/customers?q=Anna', { token: await t.token({ role: 'agent' }) });
    expect(response.status).toBe(200);
  });
});

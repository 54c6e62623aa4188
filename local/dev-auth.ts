/**
 * Development tokens for the embedded stack: ES256 JWTs with the claims Cognito puts in
 * its tokens (`cognito:groups`, `custom:customerId`), signed with a key kept in the data
 * folder. The local server verifies them as API Gateway's JWT authorizer would.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type { Role } from '../lambdas/domain/roles.js';

export const devIssuer = 'urn:nordic-utility:embedded-stack';
export const devAudience = 'nordic-utility-local';

interface KeyFile {
  privateJwk: JWK;
  publicJwk: JWK;
}

export interface DevKeys {
  sign(claims: DevClaims, expiresIn?: string): Promise<string>;
  verify(token: string): Promise<JWTPayload>;
}

export interface DevClaims {
  role: Role;
  customerId?: string;
  phone?: string;
  subject?: string;
}

/** Loads the signing key from `file`, creating it on first use. */
export async function devKeys(file: string): Promise<DevKeys> {
  let keyFile: KeyFile;
  if (existsSync(file)) {
    keyFile = JSON.parse(readFileSync(file, 'utf8')) as KeyFile;
  } else {
    const pair = await generateKeyPair('ES256', { extractable: true });
    keyFile = { privateJwk: await exportJWK(pair.privateKey), publicJwk: await exportJWK(pair.publicKey) };
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(keyFile), { mode: 0o600 });
  }
  const privateKey = await importJWK(keyFile.privateJwk, 'ES256');
  const publicKey = await importJWK(keyFile.publicJwk, 'ES256');
  return {
    async sign(claims, expiresIn = '12h') {
      const payload: JWTPayload = { 'cognito:groups': [claims.role], token_use: 'id' };
      if (claims.customerId) payload['custom:customerId'] = claims.customerId;
      if (claims.phone) {
        payload.phone_number = claims.phone;
        payload.phone_number_verified = true;
      }
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
        .setSubject(claims.subject ?? `local-${claims.role}${claims.customerId ? `-${claims.customerId}` : ''}`)
        .setIssuer(devIssuer)
        .setAudience(devAudience)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(privateKey);
    },
    async verify(token) {
      // `exp` required, as API Gateway's JWT authorizer requires it.
      const { payload } = await jwtVerify(token, publicKey, { issuer: devIssuer, audience: devAudience, algorithms: ['ES256'], requiredClaims: ['exp'] });
      return payload;
    },
  };
}

/**
 * Claims as API Gateway's JWT authorizer hands them to Lambda: strings, with arrays
 * written as `[a b]`.
 */
export function authorizerClaims(payload: JWTPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    claims[name] = Array.isArray(value) ? `[${value.join(' ')}]` : String(value);
  }
  return claims;
}

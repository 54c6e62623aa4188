/** The S3 adapter of the payment-file store: presigned PUT URLs and reads, against a mocked S3 client. */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { S3PaymentFileStore } from '../../../lambdas/adapters/storage/s3-payment-file-store.js';

const s3 = mockClient(S3Client);
const now = () => new Date('2027-01-20T08:00:00Z');

function awsError(name: string, status: number) {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

function body(bytes: Uint8Array) {
  return { transformToByteArray: async () => bytes } as never;
}

beforeEach(() => {
  s3.reset();
});

describe('S3PaymentFileStore', () => {
  it('presigns a PUT of the key for the given time, with no checksum of an empty body in the URL', async () => {
    // Prepare: the client the adapter builds in AWS, with credentials from the environment (presigning is offline)
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'AKIDLOCAL';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    const client = S3PaymentFileStore.client('eu-north-1');
    const store = new S3PaymentFileStore(client, 'payment-files', now);

    // Act
    let url: string;
    let expiresAt: string;
    try {
      ({ url, expiresAt } = await store.uploadUrl('uploads/upl_0000000000000001', 900));
    } finally {
      for (const [name, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    const parsed = new URL(url);

    // Assess
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(parsed.protocol).toBe('https:');
    expect(parsed.pathname).toMatch(/uploads\/upl_0000000000000001$/);
    expect(parsed.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(parsed.searchParams.get('X-Amz-Date')).toBe('20270120T080000Z');
    expect(parsed.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    expect([...parsed.searchParams.keys()].filter((key) => /checksum/i.test(key))).toEqual([]);
    expect(expiresAt).toBe('2027-01-20T08:15:00.000Z');
  });

  it('reads the bytes and the ETag, pinned to an ETag when given', async () => {
    // Prepare
    const bytes = new Uint8Array([1, 2, 3]);
    s3.on(GetObjectCommand).resolves({ Body: body(bytes), ContentLength: 3, ETag: '"abc"' });
    const store = new S3PaymentFileStore(new S3Client({ region: 'eu-north-1' }), 'payment-files', now);

    // Act
    const read = await store.read('uploads/upl_1', { ifMatch: '"abc"', maxBytes: 10 });

    // Assess
    expect(read).toEqual({ found: true, bytes, etag: '"abc"' });
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'payment-files', Key: 'uploads/upl_1', IfMatch: '"abc"' });
  });

  it.each([
    ['NoSuchKey', 404, 'missing'],
    ['AccessDenied', 403, 'missing'], // no s3:ListBucket: a key not there yet answers 403
    ['PreconditionFailed', 412, 'changed'],
  ])('%s (%i) is %s', async (name, status, reason) => {
    // Prepare
    s3.on(GetObjectCommand).rejects(awsError(name, status));
    const store = new S3PaymentFileStore(new S3Client({ region: 'eu-north-1' }), 'payment-files', now);

    // Act // Assess
    await expect(store.read('uploads/upl_1', { maxBytes: 10 })).resolves.toEqual({ found: false, reason });
  });

  it('does not read an object larger than allowed, and passes other errors on', async () => {
    // Prepare
    const store = new S3PaymentFileStore(new S3Client({ region: 'eu-north-1' }), 'payment-files', now);
    s3.on(GetObjectCommand).resolvesOnce({ Body: body(new Uint8Array(11)), ContentLength: 11, ETag: '"x"' }).rejectsOnce(awsError('SlowDown', 503));

    // Act // Assess
    await expect(store.read('uploads/upl_1', { maxBytes: 10 })).resolves.toEqual({ found: false, reason: 'too_large', size: 11 });
    await expect(store.read('uploads/upl_1', { maxBytes: 10 })).rejects.toThrow('SlowDown');
  });
});

/**
 * PaymentFileStore on S3: presigned PUT URLs for the upload, GetObject for reading it back,
 * HeadObject for whether it is there. The same store serves register files (RegisterFileStore,
 * under `register-uploads/` of the same bucket).
 *
 * The presigning client computes no request checksums (`WHEN_REQUIRED`): with the SDK's
 * default it signs a CRC32 of the empty body into the URL, and S3 then refuses every upload.
 * The bucket's lifecycle expires uploads; nothing here deletes.
 */
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { PaymentFileStore, StoredFile } from '../../domain/billing/payment-imports.js';

/** Names S3 gives a missing key: NoSuchKey (404) when the caller may list the bucket, AccessDenied (403) when not. */
const missingNames = new Set(['NoSuchKey', 'NotFound', 'AccessDenied']);

export class S3PaymentFileStore implements PaymentFileStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly now: () => Date,
  ) {}

  /** An S3 client for this store: no default request checksums (see above). */
  static client(region: string): S3Client {
    return new S3Client({ region, requestChecksumCalculation: 'WHEN_REQUIRED' });
  }

  async uploadUrl(objectKey: string, seconds: number): Promise<{ url: string; expiresAt: string }> {
    const signedAt = this.now();
    const url = await getSignedUrl(this.s3, new PutObjectCommand({ Bucket: this.bucket, Key: objectKey }), { expiresIn: seconds, signingDate: signedAt });
    return { url, expiresAt: new Date(signedAt.getTime() + seconds * 1000).toISOString() };
  }

  /** Size and ETag without the bytes (s3:GetObject permits HeadObject too). */
  async head(objectKey: string): Promise<{ found: true; size: number; etag: string } | { found: false }> {
    try {
      const response = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return { found: true, size: response.ContentLength ?? 0, etag: response.ETag ?? '' };
    } catch (error) {
      const name = (error as { name?: string })?.name ?? '';
      const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
      // HEAD has no error body: a missing key is `NotFound` (404), or 403 without s3:ListBucket.
      if (missingNames.has(name) || name === 'Forbidden' || status === 404 || status === 403) return { found: false };
      throw error;
    }
  }

  async put(objectKey: string, bytes: Uint8Array): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: objectKey, Body: bytes }));
  }

  async read(objectKey: string, options: { ifMatch?: string; maxBytes: number }): Promise<StoredFile> {
    let response;
    try {
      response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey, ...(options.ifMatch ? { IfMatch: options.ifMatch } : {}) }));
    } catch (error) {
      const name = (error as { name?: string })?.name ?? '';
      const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
      // The functions may read only the upload prefix (s3:GetObject, no s3:ListBucket): a key
      // nobody has PUT yet answers 403, not 404.
      if (missingNames.has(name) || status === 404 || status === 403) return { found: false, reason: 'missing' };
      if (name === 'PreconditionFailed' || status === 412) return { found: false, reason: 'changed' };
      throw error;
    }
    const size = response.ContentLength ?? 0;
    if (size > options.maxBytes) {
      (response.Body as { destroy?: () => void } | undefined)?.destroy?.();
      return { found: false, reason: 'too_large', size };
    }
    const bytes = (await response.Body?.transformToByteArray()) ?? new Uint8Array();
    return { found: true, bytes, etag: response.ETag ?? '' };
  }
}

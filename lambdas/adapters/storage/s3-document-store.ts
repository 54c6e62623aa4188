/**
 * DocumentStore on S3: the delivered documents' bucket (encrypted, TLS only; lib/constructs/
 * document-delivery.ts). Keys are `documents/<documentId>/<sha256 prefix>.<ext>`: written once,
 * never overwritten, never deleted by the service.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DocumentStore } from '../../domain/delivery/ports.js';

const missingNames = new Set(['NoSuchKey', 'NotFound', 'AccessDenied']);

export class S3DocumentStore implements DocumentStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType }));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return (await response.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (error) {
      const name = (error as { name?: string })?.name ?? '';
      const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
      // Without s3:ListBucket a missing key answers 403, not 404.
      if (missingNames.has(name) || status === 404 || status === 403) return undefined;
      throw error;
    }
  }
}

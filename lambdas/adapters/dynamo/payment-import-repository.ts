/** PaymentImportRepository on the single table (docs/DATA.md, "Billing and payments"). */
import { UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { FieldError } from '../../domain/errors.js';
import type { BookingCounts } from '../../domain/billing/payment-booking.js';
import type { PaymentImport, PaymentImportRepository, PaymentUpload } from '../../domain/billing/payment-imports.js';
import { fromItem, isConditionFailure, Table, type Item } from './table.js';

const importKey = (importId: string) => ({ pk: `PAYIMPORT#${importId}`, sk: 'IMPORT' });

/** The stored item: `doneChunks` is a number set (absent while empty: DynamoDB has no empty sets). */
function fromImportItem(item: Item): PaymentImport {
  const record = fromItem<PaymentImport & { doneChunks?: Set<number> | number[] }>(item);
  // otherCurrency: absent on imports recorded before it was counted.
  return { ...record, otherCurrency: record.otherCurrency ?? 0, doneChunks: [...(record.doneChunks ?? [])].map(Number).sort((a, b) => a - b) };
}

export class DynamoPaymentImportRepository implements PaymentImportRepository {
  private readonly table: Table;

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.table = new Table(db, tableName);
  }

  async putUpload(upload: PaymentUpload): Promise<void> {
    await this.table.putIfAbsent({ pk: `PAYUPLOAD#${upload.uploadId}`, sk: 'UPLOAD', entity: 'paymentUpload', ...upload });
  }

  getUpload(uploadId: string): Promise<PaymentUpload | undefined> {
    return this.table.get<PaymentUpload>(`PAYUPLOAD#${uploadId}`, 'UPLOAD');
  }

  async getImport(importId: string): Promise<PaymentImport | undefined> {
    const item = await this.table.get<Item>(importKey(importId).pk, 'IMPORT');
    return item ? fromImportItem(item) : undefined;
  }

  createImport(record: PaymentImport): Promise<boolean> {
    const { doneChunks: _none, ...stored } = record;
    return this.table.putIfAbsent({ ...importKey(record.importId), entity: 'paymentImport', ...stored });
  }

  restartImport(
    importId: string,
    from: { uploadId: string; objectKey: string; etag: string; at: string },
    stalledBefore: { validating: string; booking: string },
  ): Promise<boolean> {
    return this.conditional({
      UpdateExpression: 'SET #status = :validating, errors = :none, uploadId = :uploadId, objectKey = :objectKey, etag = :etag, updatedAt = :at',
      ConditionExpression:
        '#status = :failed OR (#status = :validating AND updatedAt < :validatingBefore) OR (#status = :booking AND updatedAt < :bookingBefore)',
      ExpressionAttributeValues: {
        ':validating': 'validating', ':failed': 'failed', ':booking': 'booking', ':none': [], ':uploadId': from.uploadId,
        ':objectKey': from.objectKey, ':etag': from.etag, ':at': from.at,
        ':validatingBefore': stalledBefore.validating, ':bookingBefore': stalledBefore.booking,
      },
    }, importId);
  }

  markBooking(importId: string, at: string): Promise<boolean> {
    return this.conditional({
      UpdateExpression: 'SET #status = :booking, updatedAt = :at',
      ConditionExpression: '#status = :validating',
      ExpressionAttributeValues: { ':booking': 'booking', ':validating': 'validating', ':at': at },
    }, importId);
  }

  async recordChunk(importId: string, chunk: number, counts: BookingCounts, at: string): Promise<PaymentImport | undefined> {
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: importKey(importId),
          // One conditional update counts the chunk and adds its counts: never half counted, never twice.
          UpdateExpression:
            'ADD doneChunks :chunkSet, chunksDone :one, booked :booked, matched :matched, unmatched :unmatched, overpaid :overpaid, ' +
            'alreadyImported :already, deductionsRecorded :deductions, otherCurrency :otherCurrency SET updatedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND NOT contains(doneChunks, :chunk)',
          ExpressionAttributeValues: {
            ':chunkSet': new Set([chunk]),
            ':chunk': chunk,
            ':one': 1,
            ':booked': counts.payments,
            ':matched': counts.matched,
            ':unmatched': counts.unmatched,
            ':overpaid': counts.overpaid,
            ':already': counts.alreadyImported,
            ':deductions': counts.deductions,
            ':otherCurrency': counts.otherCurrency,
            ':at': at,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes ? fromImportItem(result.Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  completeImport(importId: string, at: string): Promise<boolean> {
    return this.conditional({
      UpdateExpression: 'SET #status = :completed, completedAt = :at, updatedAt = :at',
      ConditionExpression: '#status IN (:validating, :booking) AND chunksDone >= chunks',
      ExpressionAttributeValues: { ':completed': 'completed', ':validating': 'validating', ':booking': 'booking', ':at': at },
    }, importId);
  }

  async failImport(importId: string, error: FieldError, at: string): Promise<void> {
    await this.conditional({
      UpdateExpression: 'SET #status = :failed, errors = list_append(if_not_exists(errors, :none), :error), updatedAt = :at',
      ConditionExpression: 'attribute_exists(pk) AND #status <> :completed',
      ExpressionAttributeValues: { ':failed': 'failed', ':completed': 'completed', ':none': [], ':error': [error], ':at': at },
    }, importId);
  }

  /** An update of the import conditional on its status: false when the condition fails. */
  private async conditional(
    input: Required<Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'>>,
    importId: string,
  ): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({ TableName: this.tableName, Key: importKey(importId), ExpressionAttributeNames: { '#status': 'status' }, ...input }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

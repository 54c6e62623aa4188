/**
 * EInvoiceSender on an e-invoice operator's HTTP API (R-SE-8, R-FI-2): the Finvoice or PEPPOL
 * BIS message (lambdas/domain/einvoice/) posted for the receiver's address and operator, with
 * the hand-over's idempotency key: the operator takes a key once, so a retry never sends twice.
 *
 * `POST {baseUrl}/einvoices` `{ receiver: { address, operator }, contentType, document (base64),
 * reference }` → `{ id }`. Operators differ in their APIs; this is the contract a utility's
 * operator (or a thin adapter in front of it) is configured to (docs/DELIVERY.md).
 */
import type { EInvoiceSender, HandOver, HandedOver } from '../../domain/delivery/ports.js';
import type { HttpChannel } from './http-channel.js';

export class OperatorEInvoiceSender implements EInvoiceSender {
  constructor(private readonly http: HttpChannel) {}

  async sendEInvoice(message: HandOver & { operator: string; address: string; xml: string; contentType: string }): Promise<HandedOver> {
    const { id } = await this.http.post(
      '/einvoices',
      {
        receiver: { address: message.address, operator: message.operator },
        contentType: message.contentType,
        document: Buffer.from(message.xml, 'utf8').toString('base64'),
        reference: message.documentId,
      },
      message.idempotencyKey,
    );
    return { providerReference: id };
  }
}

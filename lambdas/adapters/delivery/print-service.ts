/**
 * PrintService on the print service's HTTP API (R-SE-8): it routes a letter to the customer's
 * digital mailbox (Kivra, found by personal number) or prints and posts it. R-SE-4: a protected
 * identity's letter is paper only, the outer envelope addressed to the forwarding service and
 * the name, personal number and address on an inner envelope only.
 *
 * `POST {baseUrl}/letters` `{ mode: digital_mailbox|paper, envelope: { lines, country },
 * innerEnvelope?: { lines }, recipient: { name, nationalId, country }, filename, document (base64 PDF),
 * reference }` → `{ id }`. With `mode: digital_mailbox` the service falls back to print itself
 * when the person has no mailbox.
 */
import type { BillingAddress } from '../../domain/customers/model.js';
import type { HandedOver, Letter, PrintService } from '../../domain/delivery/ports.js';
import type { HttpChannel } from './http-channel.js';

function lines(address: BillingAddress, name?: string): string[] {
  return [name, address.line1, address.line2, `${address.postalCode} ${address.city}`].filter((line): line is string => Boolean(line));
}

export class HttpPrintService implements PrintService {
  constructor(private readonly http: HttpChannel) {}

  async sendLetter(letter: Letter): Promise<HandedOver> {
    const { id } = await this.http.post(
      '/letters',
      {
        mode: letter.mode,
        envelope: {
          // The outer envelope never names a protected identity (R-SE-4).
          lines: letter.innerEnvelope ? lines(letter.envelope) : lines(letter.envelope, letter.recipient.name),
          country: letter.envelope.country,
        },
        ...(letter.innerEnvelope
          ? { innerEnvelope: { lines: [letter.recipient.name, letter.recipient.nationalId, ...lines(letter.recipient.address)] } }
          : {}),
        recipient: { name: letter.recipient.name, nationalId: letter.recipient.nationalId, country: letter.recipient.country },
        filename: letter.filename,
        document: Buffer.from(letter.pdf).toString('base64'),
        reference: letter.documentId,
      },
      letter.idempotencyKey,
    );
    return { providerReference: id };
  }
}

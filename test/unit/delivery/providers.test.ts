/**
 * The HTTP APIs of the e-invoice operator and the print service: the idempotency key on every
 * attempt, retries for what may pass, refusals and unavailability told apart, and R-SE-4's
 * envelopes for a protected identity.
 */
import { describe, expect, it } from '@jest/globals';
import { OperatorEInvoiceSender } from '../../../lambdas/adapters/delivery/einvoice-operator.js';
import { HttpChannel, type Fetch } from '../../../lambdas/adapters/delivery/http-channel.js';
import { HttpPrintService } from '../../../lambdas/adapters/delivery/print-service.js';
import { swedishForwardingAddress } from '../../../lambdas/domain/customers/present.js';
import { ChannelRefused, ChannelUnavailable, type Letter } from '../../../lambdas/domain/delivery/ports.js';

type Call = { url: string; headers: Record<string, string>; body: any };

function provider(answers: (Response | Error)[]) {
  const calls: Call[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ url, headers: init.headers as Record<string, string>, body: JSON.parse(String(init.body)) });
    const answer = answers.shift()!;
    if (answer instanceof Error) throw answer;
    return answer;
  }) as unknown as Fetch;
  const http = new HttpChannel({ name: 'the provider', baseUrl: 'https://api.example.se/v1', apiKey: async () => 'key-1', timeoutMs: 1000, maxAttempts: 3, backoffMs: 1 }, fetchImpl, async () => undefined);
  return { http, calls };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const handOver = { idempotencyKey: 'doc_1:e_invoice', documentId: 'doc_1', kind: 'invoice' as const, customerId: 'cus_1' };

describe('the e-invoice operator', () => {
  it('posts the XML for the receiver with the idempotency key, the same key on a retry after a 503', async () => {
    // Prepare
    const { http, calls } = provider([json(503, {}), new Error('socket hang up'), json(201, { id: 'op-77' })]);
    // Act
    const result = await new OperatorEInvoiceSender(http).sendEInvoice({ ...handOver, operator: 'NDEAFIHH', address: 'FI7912345600000785', xml: '<Finvoice/>', contentType: 'application/xml' });
    // Assess
    expect(result).toEqual({ providerReference: 'op-77' });
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.headers['idempotency-key'])).toEqual(['doc_1:e_invoice', 'doc_1:e_invoice', 'doc_1:e_invoice']);
    expect(calls[0]!.url).toBe('https://api.example.se/v1/einvoices');
    expect(calls[0]!.headers.authorization).toBe('Bearer key-1');
    expect(calls[0]!.body).toMatchObject({ receiver: { address: 'FI7912345600000785', operator: 'NDEAFIHH' }, reference: 'doc_1' });
    expect(Buffer.from(calls[0]!.body.document, 'base64').toString('utf8')).toBe('<Finvoice/>');
  });

  it('takes a 422 as a refusal of this document, and 401 or a provider still failing as unavailable', async () => {
    // Prepare
    const send = (answers: Response[]) => new OperatorEInvoiceSender(provider(answers).http).sendEInvoice({ ...handOver, operator: 'X', address: 'Y', xml: '<x/>', contentType: 'application/xml' });
    // Act // Assess
    await expect(send([json(422, { detail: 'unknown receiver address' })])).rejects.toThrow(new ChannelRefused('the provider refused the document (422: unknown receiver address)'));
    await expect(send([json(401, {})])).rejects.toBeInstanceOf(ChannelUnavailable);
    await expect(send([json(500, {}), json(502, {}), json(429, {})])).rejects.toBeInstanceOf(ChannelUnavailable);
  });
});

describe('the print service', () => {
  const letter = (protectedIdentity: boolean): Letter => ({
    ...handOver,
    idempotencyKey: 'doc_1:paper',
    mode: 'paper',
    envelope: protectedIdentity ? swedishForwardingAddress : { line1: 'Storgatan 1', postalCode: '671 31', city: 'Arvika', country: 'SE' },
    recipient: { name: 'Hemlig Person', nationalId: '191212121212', address: { line1: 'Hemliga vägen 9', postalCode: '671 99', city: 'Arvika', country: 'SE' }, country: 'SE' },
    innerEnvelope: protectedIdentity,
    pdf: Buffer.from('%PDF-1.7'),
    filename: 'faktura.pdf',
  });

  it('addresses a protected identity\'s outer envelope to the forwarding service, name and address inside only (R-SE-4)', async () => {
    // Prepare
    const { http, calls } = provider([json(200, { id: 'print-1' })]);
    // Act
    await new HttpPrintService(http).sendLetter(letter(true));
    // Assess
    const body = calls[0]!.body;
    expect(body.envelope.lines).toEqual(['Skatteverket, Förmedlingsuppdrag', 'Box 2820', '403 20 Göteborg']);
    expect(JSON.stringify(body.envelope)).not.toMatch(/Hemlig/);
    expect(body.innerEnvelope.lines).toEqual(['Hemlig Person', '191212121212', 'Hemliga vägen 9', '671 99 Arvika']);
  });

  it("puts the customer's name on an ordinary envelope, with no inner one", async () => {
    // Prepare
    const { http, calls } = provider([json(200, { id: 'print-2' })]);
    // Act
    const result = await new HttpPrintService(http).sendLetter(letter(false));
    // Assess
    expect(result.providerReference).toBe('print-2');
    expect(calls[0]!.body.envelope.lines).toEqual(['Hemlig Person', 'Storgatan 1', '671 31 Arvika']);
    expect(calls[0]!.body.innerEnvelope).toBeUndefined();
  });
});

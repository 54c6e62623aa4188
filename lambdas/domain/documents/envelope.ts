/**
 * R-SE-4 Protected identity: the letter goes in an inner envelope with the customer's name and
 * personal number, inside an outer one addressed to the Tax Agency's forwarding service. This
 * renders the two sheets the print service puts in the envelope windows:
 *  1. the outer envelope's address sheet: the utility as return address, Skatteverket as
 *     addressee, nothing about the customer;
 *  2. the inner envelope's label: the customer's name and personal number, no address.
 * The letter itself (renderDocument) is the inner document. Who gets this routing is the
 * delivery side's decision (`Customer.protectedIdentity`).
 */
import { Letter } from './layout.js';
import type { BillingAddress } from './kinds.js';

/** The Tax Agency's forwarding service (R-SE-4). */
export const FORWARDING_SERVICE = {
  name: 'Skatteverket',
  department: 'Förmedlingsuppdrag',
  box: 'Box 2820',
  postalCode: '403 20',
  city: 'Göteborg',
} as const;

export interface ForwardingOptions {
  /** The customer's personal number, printed on the inner envelope only (never logged). */
  nationalId: string;
}

export interface ForwardingEnvelopeInput extends ForwardingOptions {
  sender: { name: string; address: BillingAddress };
  recipientName: string;
}

export async function renderForwardingEnvelope(input: ForwardingEnvelopeInput): Promise<{ contentType: 'application/pdf'; bytes: Uint8Array; filename: string; title: string }> {
  const title = 'Förmedlingsuppdrag';
  const letter = await Letter.create(title, 'sv-SE');
  const { sender } = input;
  // Sheet 1: the outer envelope. Return address top left, the forwarding service in the window.
  letter.text(sender.name, 50, 790, { bold: true, size: 11 });
  [sender.address.line1, sender.address.line2, `${sender.address.postalCode} ${sender.address.city}`]
    .filter((line): line is string => Boolean(line))
    .forEach((line, i) => letter.text(line, 50, 776 - i * 12, { size: 9 }));
  [FORWARDING_SERVICE.name, FORWARDING_SERVICE.department, FORWARDING_SERVICE.box, `${FORWARDING_SERVICE.postalCode} ${FORWARDING_SERVICE.city}`].forEach((line, i) =>
    letter.text(line, 50, 700 - i * 14, { size: 12, bold: i === 0 }),
  );
  letter.y = 600;
  letter.paragraph('Förmedlingsuppdrag: det inneslutna kuvertet ska vidarebefordras till adressaten, som har skyddade personuppgifter.', { size: 9 });

  // Sheet 2: the inner envelope's label, read by the forwarding service.
  letter.newPage();
  letter.text('Till', 50, 700, { size: 9 });
  letter.text(input.recipientName, 50, 684, { bold: true, size: 12 });
  letter.text(`Personnummer ${input.nationalId}`, 50, 668, { size: 11 });
  letter.text(`Avsändare: ${sender.name}`, 50, 640, { size: 9 });
  return { contentType: 'application/pdf', bytes: await letter.save(), filename: 'forwarding-envelope.pdf', title };
}

/**
 * The utility's letterhead and the parties its letters name (lambdas/domain/delivery/orders.ts
 * LetterSettings), from UTILITY_LETTERS_JSON, validated at cold start (STYLE.md 3). CDK sets it
 * from the context `delivery.letters` (docs/DEPLOY.md); the embedded stack from its country's
 * defaults (local/delivery.ts).
 */
import * as z from 'zod';
import type { LetterSettings } from '../domain/delivery/orders.js';

const address = z.strictObject({
  line1: z.string().min(1).max(100),
  line2: z.string().max(100).optional(),
  postalCode: z.string().min(1).max(12),
  city: z.string().min(1).max(60),
  country: z.enum(['SE', 'FI', 'NO']),
});

const payment = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('bankgiro'), number: z.string().regex(/^\d{3,4}-\d{4}$/, 'a bankgiro number, e.g. 5050-1055') }),
  z.strictObject({ kind: z.literal('iban'), iban: z.string().regex(/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/, 'an IBAN without spaces'), bic: z.string().regex(/^[A-Z0-9]{8}([A-Z0-9]{3})?$/).optional() }),
  z.strictObject({ kind: z.literal('bank_account'), number: z.string().min(5).max(34) }),
]);

export const letterSettingsSchema = z.strictObject({
  sender: z.strictObject({
    name: z.string().min(1).max(100),
    address,
    phone: z.string().min(3).max(40),
    email: z.email().optional(),
    website: z.string().max(200).optional(),
    organisationNumber: z.string().max(20).optional(),
    payment,
  }),
  seller: z.strictObject({
    organisationNumber: z.string().min(6).max(20),
    vatNumber: z.string().max(20).optional(),
    taxRegistrationText: z.string().max(100).optional(),
    iban: z.string().optional(),
    bic: z.string().optional(),
  }),
  finvoice: z.strictObject({ sellerAddress: z.string().min(4).max(35), sellerIntermediator: z.string().min(3).max(35) }).optional(),
  collectionAgency: z.strictObject({ name: z.string().min(1).max(100), phone: z.string().min(3).max(40) }),
  socialServices: z.strictObject({ name: z.string().min(1).max(100), address }),
});

export function loadLetterSettings(env: NodeJS.ProcessEnv = process.env): LetterSettings {
  const raw = env.UTILITY_LETTERS_JSON;
  if (!raw) throw new Error('Invalid letter configuration: UTILITY_LETTERS_JSON is required (docs/DEPLOY.md)');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new Error('Invalid letter configuration: UTILITY_LETTERS_JSON is not JSON');
  }
  const parsed = letterSettingsSchema.safeParse(value);
  if (!parsed.success) throw new Error(`Invalid letter configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')} (${i.message})`).join(', ')}`);
  return parsed.data as LetterSettings;
}

/** The embedded stack's letterhead per country (example utilities of the seeds: Arvika, Keuruu, Gran). */
export const localLetterSettings: Record<'SE' | 'FI' | 'NO', LetterSettings> = {
  SE: {
    sender: {
      name: 'Arvika Vatten', address: { line1: 'Box 1', postalCode: '671 81', city: 'Arvika', country: 'SE' }, phone: '0570-816 00',
      email: 'kundservice@arvika.se', website: 'https://www.arvika.se', organisationNumber: '212000-1868', payment: { kind: 'bankgiro', number: '5050-1055' },
    },
    seller: { organisationNumber: '2120001868', vatNumber: 'SE212000186801', taxRegistrationText: 'Godkänd för F-skatt' },
    collectionAgency: { name: 'Visma Collectors', phone: '08-120 120 00' },
    socialServices: { name: 'Arvika kommun, Socialförvaltningen', address: { line1: 'Box 100', postalCode: '671 81', city: 'Arvika', country: 'SE' } },
  },
  FI: {
    sender: {
      name: 'Keuruun Vesi', address: { line1: 'Multiantie 5', postalCode: '42700', city: 'Keuruu', country: 'FI' }, phone: '014 751 81',
      email: 'vesi@keuruu.fi', website: 'https://www.keuruu.fi', organisationNumber: '0208201-1', payment: { kind: 'iban', iban: 'FI2112345600000785', bic: 'NDEAFIHH' },
    },
    seller: { organisationNumber: '0208201-1', vatNumber: 'FI02082011' },
    finvoice: { sellerAddress: '003702082011', sellerIntermediator: 'NDEAFIHH' },
    collectionAgency: { name: 'Lindorff Oy', phone: '010 270 000' },
    socialServices: { name: 'Keuruun kaupunki, sosiaalitoimi', address: { line1: 'Multiantie 5', postalCode: '42700', city: 'Keuruu', country: 'FI' } },
  },
  NO: {
    sender: {
      name: 'Gran kommune VA', address: { line1: 'Rådhusvegen 39', postalCode: '2750', city: 'Gran', country: 'NO' }, phone: '61 33 84 00',
      email: 'postmottak@gran.kommune.no', website: 'https://www.gran.kommune.no', organisationNumber: '961381096', payment: { kind: 'bank_account', number: '2050.07.12345' },
    },
    seller: { organisationNumber: '961381096', vatNumber: 'NO961381096MVA', taxRegistrationText: 'Foretaksregisteret' },
    collectionAgency: { name: 'Kredinor', phone: '22 00 00 00' },
    socialServices: { name: 'Gran kommune, NAV', address: { line1: 'Rådhusvegen 39', postalCode: '2750', city: 'Gran', country: 'NO' } },
  },
};

/**
 * Request and response shapes of the customer registry (API.md "Customers"), as zod
 * schemas. They validate input in the handlers and generate openapi.json.
 * Unknown fields are refused (`strictObject`), so a typo never silently drops data.
 */
import * as z from 'zod';

export const countries = ['SE', 'FI', 'NO'] as const;
export const languages = ['sv', 'fi', 'nb', 'en'] as const;
export const services = [
  'water',
  'sewage',
  'waste',
  'electricity_grid',
  'electricity_retail',
  'district_heating',
  'fiber',
] as const;
export type Service = (typeof services)[number];
export const propertyTypes = ['owner_occupied', 'rental', 'business', 'holiday_home'] as const;
/** R-SE-8: e-invoice via the bank first, then the print service (digital mailbox or paper). */
export const deliveryChannels = ['e_invoice', 'digital_mailbox', 'email', 'paper'] as const;

const text = (max: number) => z.string().trim().min(1).max(max);

/**
 * R-SE-8, R-FI-2: where e-invoices go. `address`: the receiver's e-invoice address (in Finland
 * the OVT code or IBAN, in Sweden and Norway the PEPPOL participant id, e.g. `0007:5567321707`);
 * `operator`: the receiver's operator or bank (Finnish intermediator id or BIC, or the PEPPOL
 * access point). Documents with an e-invoice form go there first.
 */
export const EInvoiceAddress = z
  .strictObject({
    operator: z.string().trim().regex(/^[A-Za-z0-9:._-]{3,35}$/, 'operator id or BIC: 3-35 letters, digits, : . _ -'),
    address: z.string().trim().regex(/^[A-Za-z0-9:._-]{4,70}$/, 'e-invoice address: 4-70 letters, digits, : . _ -'),
  })
  .meta({ id: 'EInvoiceAddress' });
const isoDate = z.iso.date();

/** API.md: billing address, any postal address (c/o and PO boxes included). */
export const BillingAddress = z
  .strictObject({
    line1: text(100),
    line2: text(100).optional(),
    postalCode: text(12),
    city: text(60),
    country: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 country code, e.g. SE'),
  })
  .meta({ id: 'BillingAddress' });

/** API.md: property address; matching ignores case, postal-code spaces, letter case. */
export const PropertyAddress = z
  .strictObject({
    street: text(100),
    number: z.string().trim().regex(/^\d{1,5}$/, 'street number, digits only'),
    letter: z.string().trim().regex(/^[A-Za-z]$/, 'one letter').optional(),
    postalCode: text(12),
    city: text(60),
  })
  .meta({ id: 'PropertyAddress' });

/** Phone in any common notation; normalised to E.164 by the use-case. */
const phoneInput = z.string().trim().min(3).max(32);

export const CreateCustomerRequest = z
  .strictObject({
    name: text(200),
    kind: z.enum(['person', 'organisation']),
    country: z.enum(countries),
    nationalId: z.string().trim().min(6).max(20),
    category: z.enum(['consumer', 'business']),
    billingAddress: BillingAddress,
    phone: phoneInput.optional(),
    email: z.email().max(254).optional(),
    foreign: z.boolean().optional(),
    industryCode: z.string().trim().regex(/^\d{2,5}$/, 'industry code (SNI/TOL/NACE), 2-5 digits').optional(),
    protectedIdentity: z.boolean().optional(),
    language: z.enum(languages).optional(),
    billingRegion: text(40).optional(),
    deliveryChannel: z.enum(deliveryChannels).optional(),
    eInvoice: EInvoiceAddress.optional(),
  })
  .meta({ id: 'CreateCustomerRequest' });
export type CreateCustomerRequest = z.infer<typeof CreateCustomerRequest>;

/** Contact fields: the only ones a `customer` token may change on its own record. */
export const contactFields = ['phone', 'email', 'language'] as const;

/** PATCH: any subset; `null` clears an optional field. nationalId and country never change. */
export const PatchCustomerRequest = z
  .strictObject({
    name: text(200).optional(),
    category: z.enum(['consumer', 'business']).optional(),
    billingAddress: BillingAddress.optional(),
    phone: phoneInput.nullable().optional(),
    email: z.email().max(254).nullable().optional(),
    foreign: z.boolean().optional(),
    industryCode: z.string().trim().regex(/^\d{2,5}$/).nullable().optional(),
    protectedIdentity: z.boolean().optional(),
    knownBadPayer: z.boolean().optional(),
    language: z.enum(languages).nullable().optional(),
    billingRegion: text(40).nullable().optional(),
    deliveryChannel: z.enum(deliveryChannels).nullable().optional(),
    eInvoice: EInvoiceAddress.nullable().optional(),
  })
  .refine((value) => Object.keys(value).length > 0, { message: 'at least one field to change' })
  .meta({ id: 'PatchCustomerRequest' });
export type PatchCustomerRequest = z.infer<typeof PatchCustomerRequest>;

export const CustomerSearchQuery = z
  .strictObject({
    nationalId: z.string().trim().min(6).max(20).optional(),
    country: z.enum(countries).optional(),
    q: z.string().trim().min(2).max(100).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(1024).optional(),
  })
  .refine((value) => value.nationalId !== undefined || value.q !== undefined, {
    message: 'give nationalId or q',
    path: ['q'],
  });

export const NoteRequest = z.strictObject({ text: text(4000) }).meta({ id: 'NoteRequest' });

export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(1024).optional(),
});

export const Meter = z.strictObject({
  meterId: text(40),
  readingMode: z.enum(['remote', 'mechanical']),
});

export const billingCycles = ['monthly', 'bimonthly', 'quarterly', 'seasonal', 'finnish_quarterly'] as const;

export const FacilityServiceRequest = z.strictObject({
  service: z.enum(services),
  startDate: isoDate,
  meter: Meter.optional(),
  /** R-SE-9: expected annual use (m³ water, kWh) for preliminary billing between readings. */
  expectedAnnualUse: z.number().nonnegative().max(10_000_000).optional(),
  /** R-SE-9: large consumers are billed monthly on readings. */
  largeConsumer: z.boolean().optional(),
  /** Overrides the utility's cycle for this service (R-SE-11: monthly on request). */
  billingCycle: z.enum(billingCycles).optional(),
});

export const PropertyOwner = z
  .strictObject({ name: text(100), address: BillingAddress })
  .meta({ id: 'PropertyOwner' });

export const CreateFacilityRequest = z
  .strictObject({
    propertyDesignation: text(100),
    deliveryAddress: PropertyAddress,
    propertyType: z.enum(propertyTypes),
    services: z.array(FacilityServiceRequest).min(1).max(services.length),
    /**
     * The property's owner or manager when it is not the customer (a rental, a business tenant):
     * the winter notice before a disconnection is written to them (R-SE-18, R-SE-20).
     */
    owner: PropertyOwner.optional(),
  })
  .superRefine((value, ctx) => {
    const seen = new Set<string>();
    value.services.forEach((entry, index) => {
      if (seen.has(entry.service)) {
        ctx.addIssue({ code: 'custom', path: ['services', index, 'service'], message: 'service listed twice' });
      }
      seen.add(entry.service);
    });
  })
  .meta({ id: 'CreateFacilityRequest' });
export type CreateFacilityRequest = z.infer<typeof CreateFacilityRequest>;

export const MoveOutRequest = z
  .strictObject({ facilityId: text(40), date: isoDate })
  .meta({ id: 'MoveOutRequest' });

const Money = z.strictObject({
  amount: z.number().int().nonnegative().describe('integer minor units (öre, cents)'),
  currency: z.enum(['SEK', 'EUR', 'NOK']),
});

/** R-SE-6: a deposit from a known bad payer, sized from the expected annual cost. */
export const DepositRequest = z
  .strictObject({
    service: z.enum(services),
    expectedAnnualCost: Money,
  })
  .meta({ id: 'DepositRequest' });

/** R-SE-5: the outcome of a credit check made with the credit bureau (e.g. Creditsafe). */
export const CreditCheckRequest = z
  .strictObject({
    provider: text(60),
    reference: text(100),
    outcome: z.enum(['approved', 'declined']),
    reason: z.enum(['fiber_order', 'known_bad_payer', 'other']),
    note: text(1000).optional(),
  })
  .meta({ id: 'CreditCheckRequest' });

export const PathCustomer = z.strictObject({ customerId: z.string().regex(/^cus_[0-9a-z]{16}$/, 'a customer id') });

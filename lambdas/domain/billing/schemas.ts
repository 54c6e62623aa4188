/** Request shapes of billing and payments (API.md "Billing and payments"). */
import * as z from 'zod';
import { services } from '../customers/schemas.js';

const isoDate = z.iso.date();
const instant = z.iso.datetime({ offset: true });

export const TariffRequest = z
  .strictObject({
    effectiveFrom: isoDate,
    currency: z.enum(['SEK', 'EUR', 'NOK']),
    fixedPerMonth: z.number().int().nonnegative().describe('minor units per facility and month'),
    unitPrice: z.number().nonnegative().max(1_000_000).describe('minor units per unit of use, up to 4 decimals'),
    unit: z.enum(['m3', 'kWh', 'MWh', 'emptying', 'none']),
    connectionFee: z.number().int().nonnegative().default(0),
    customersNotifiedAt: instant.optional(),
  })
  .meta({ id: 'TariffRequest' });

export const ServicePath = z.enum(services);

export const MeterReadingRequest = z
  .strictObject({
    facilityId: z.string().trim().min(1).max(40),
    meterId: z.string().trim().min(1).max(40),
    value: z.number().nonnegative().max(1e9),
    readAt: instant,
  })
  .meta({ id: 'MeterReadingRequest' });

export const BillingRunRequest = z
  .strictObject({
    runMonth: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM').optional(),
    region: z.string().trim().min(1).max(40).optional(),
  })
  .meta({ id: 'BillingRunRequest' });

export const DeferralRequest = z
  .strictObject({ until: isoDate, reason: z.string().trim().min(3).max(500) })
  .meta({ id: 'DeferralRequest' });

export const AllocationRequest = z.strictObject({ invoiceId: z.string().trim().min(1).max(80) }).meta({ id: 'AllocationRequest' });

export const RefundRequest = z
  .strictObject({
    amount: z.number().int().positive().optional().describe('minor units; default: all credit'),
    bankAccount: z.string().trim().min(5).max(40).optional(),
  })
  .meta({ id: 'RefundRequest' });

export const PaymentImportRequest = z
  .strictObject({ uploadId: z.string().trim().regex(/^upl_[0-9a-z]{16}$/, 'an uploadId from POST /v1/payment-files/uploads') })
  .meta({ id: 'PaymentImportRequest' });

/** Request shapes of outage alerts (API.md "Outage alerts"), as zod schemas. */
import * as z from 'zod';
import { PropertyAddress } from '../customers/schemas.js';
import { outageCategories } from './types.js';

const text = (max: number) => z.string().trim().min(1).max(max);
const phoneInput = z.string().trim().min(3).max(32);
const instant = z.iso.datetime({ offset: true });

export const SubscriptionRequest = z
  .strictObject({ phone: phoneInput, address: PropertyAddress })
  .meta({ id: 'AlertSubscriptionRequest' });

export const SubscriptionQuery = z.strictObject({ phone: phoneInput });

/** `POST /v1/address-register/imports` as JSON: an uploaded file (POST /v1/address-register/uploads). */
export const RegisterImportRequest = z
  .strictObject({ uploadId: z.string().trim().regex(/^upl_[0-9a-z]{16}$/, 'an uploadId from POST /v1/address-register/uploads') })
  .meta({ id: 'RegisterImportRequest' });

export const OptOutRequest = z.strictObject({ phone: phoneInput }).meta({ id: 'AlertOptOutRequest' });

const position = z.tuple([z.number(), z.number()]);
export const Polygon = z
  .strictObject({ type: z.literal('Polygon'), coordinates: z.array(z.array(position)).min(1) })
  .meta({ id: 'GeoJsonPolygon' });

export const StreetSelector = z.strictObject({
  street: text(100),
  city: text(60).optional(),
  postalCode: text(12).optional(),
  from: z.number().int().positive().optional(),
  to: z.number().int().positive().optional(),
  side: z.enum(['odd', 'even']).optional(),
});

export const OutageAreaSchema = z.strictObject({
  addresses: z.array(PropertyAddress).max(5000).optional(),
  streets: z.array(StreetSelector).max(500).optional(),
  postalCodes: z.array(text(12)).max(200).optional(),
  polygon: Polygon.optional(),
});

export const CreateOutageRequest = z
  .strictObject({
    category: z.enum(outageCategories),
    title: text(120),
    message: text(1000),
    area: OutageAreaSchema,
    startsAt: instant.optional(),
    endsAt: instant.optional(),
    sendAt: instant.optional(),
  })
  .meta({ id: 'CreateOutageRequest' });
export type CreateOutageRequest = z.infer<typeof CreateOutageRequest>;

export const OutageUpdateRequest = z
  .strictObject({ message: text(1000), resolved: z.boolean().optional() })
  .meta({ id: 'OutageUpdateRequest' });

export const CrowdReportRequest = z
  .strictObject({
    address: PropertyAddress,
    kind: z.enum(['no_water', 'low_pressure', 'discoloured_water', 'leak_seen']),
    phone: phoneInput.optional(),
  })
  .meta({ id: 'CrowdReportRequest' });

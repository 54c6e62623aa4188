/** Request schemas of the dunning API (API.md "Dunning"); openapi.json is generated from them. */
import * as z from 'zod';
import { caseStatuses, holdReasons, ownerContactOutcomes, workOrderTypes } from './case.js';

const isoDate = z.iso.date();

export const CaseListQuery = z
  .strictObject({
    /** A case status, or `stuck`: cases waiting for a payment file too long (any status). */
    status: z.enum([...caseStatuses, 'stuck']).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(4096).optional(),
  })
  .meta({ id: 'DunningCaseListQuery' });

export const OwnerContactRequest = z
  .strictObject({
    outcome: z.enum(ownerContactOutcomes),
    note: z.string().trim().min(1).max(1000),
    /** postpone: the date the disconnection waits until (after today). */
    until: isoDate.optional(),
  })
  .meta({ id: 'OwnerContactRequest' });

export const HoldRequest = z
  .strictObject({
    reason: z.enum(holdReasons),
    /** Last day of the hold, inclusive. */
    until: isoDate,
    /** First day; default today. */
    from: isoDate.optional(),
    note: z.string().trim().min(1).max(1000).optional(),
  })
  .meta({ id: 'HoldRequest' });

export const WorkOrderListQuery = z
  .strictObject({
    type: z.enum(workOrderTypes).optional(),
    status: z.enum(['open', 'completed', 'cancelled']).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(4096).optional(),
  })
  .meta({ id: 'WorkOrderListQuery' });

export const CompleteWorkOrderRequest = z
  .strictObject({ note: z.string().trim().min(1).max(1000).optional() })
  .meta({ id: 'CompleteWorkOrderRequest' });

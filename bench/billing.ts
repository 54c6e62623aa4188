/**
 * Billing and payments (section 4): the billing driver (bench/billing-driver.ts) against a
 * DynamoDB of its own, each in a child process (bench/scenario-process.ts).
 */
import type { BillingResult, BillingSettings } from './billing-driver.js';
import { runScenario } from './scenario-process.js';

export function measureBilling(settings: BillingSettings): Promise<BillingResult> {
  return runScenario<BillingSettings, BillingResult>('bench/billing-driver.ts', settings, 'billing');
}

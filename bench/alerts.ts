/**
 * Outage alerts (section 3): the alert driver (bench/alerts-driver.ts) against a DynamoDB of
 * its own, each in a child process (bench/scenario-process.ts).
 */
import type { AlertsResult, AlertsSettings } from './alerts-driver.js';
import { runScenario } from './scenario-process.js';

export function measureAlerts(settings: AlertsSettings): Promise<AlertsResult> {
  return runScenario<AlertsSettings, AlertsResult>('bench/alerts-driver.ts', settings, 'alerts');
}

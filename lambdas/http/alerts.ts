/**
 * The `alerts` route group: the address register (a CSV body, or an uploaded file by its
 * uploadId) and self-service subscriptions (R-SMS-2/3/4).
 */
import { buildOutageAlerts } from '../adapters/alerts-wiring.js';
import { loadConfig } from '../adapters/config.js';
import type { Actor } from '../domain/actor.js';
import type { PropertyAddress } from '../domain/alerts/types.js';
import { groupHandler, type OperationInput } from './handler.js';

const config = loadConfig();
const alerts = buildOutageAlerts();
const actor = (input: OperationInput): Actor => input.principal!;

export const handler = groupHandler(
  'alerts',
  {
    async createAddressRegisterUpload(input) {
      return { status: 201, body: await alerts.createRegisterUpload(actor(input)) };
    },
    async importAddressRegister(input) {
      const options = { actor: actor(input), ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}) };
      if (input.body) {
        // An uploaded file: a job at once; the worker reads and parses it.
        const { jobId, status } = await alerts.importRegisterUpload((input.body as { uploadId: string }).uploadId, options);
        return { status: 202, body: { jobId, status }, headers: { location: `/v1/jobs/${jobId}` } };
      }
      const { jobId, status, imported, rejected } = await alerts.importRegister(input.bytes!, options);
      // Written inside the request (a small file): 200. Larger: 202, the chunks are written in the background.
      if (status === 'completed') return { body: { imported, rejected, jobId, status } };
      return { status: 202, body: { imported, rejected, jobId, status }, headers: { location: `/v1/jobs/${jobId}` } };
    },
    async addAlertSubscription(input) {
      return { body: await alerts.subscribe(actor(input), input.body as { phone: string; address: PropertyAddress }) };
    },
    async listAlertSubscriptions(input) {
      const { phone, optedOut, items } = await alerts.subscriptionsOf(actor(input), (input.query as { phone: string }).phone);
      return { body: { phone, optedOut, items, nextCursor: null } };
    },
    async removeAlertSubscription(input) {
      await alerts.unsubscribe(actor(input), input.params.subscriptionId ?? '');
      return {};
    },
    async optOutOfAlerts(input) {
      return { body: await alerts.optOut(actor(input), (input.body as { phone: string }).phone) };
    },
    async optBackIntoAlerts(input) {
      await alerts.optIn(actor(input), input.params.phone ?? '');
      return {};
    },
  },
  { maxBodyBytes: config.MAX_BODY_BYTES },
);

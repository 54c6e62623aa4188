/** The `outages` route group: outages and their messages, the public feed, crowd reports. */
import { createHash } from 'node:crypto';
import { buildOutageAlerts } from '../adapters/alerts-wiring.js';
import { loadConfig } from '../adapters/config.js';
import type { Actor } from '../domain/actor.js';
import type { CreateOutageRequest } from '../domain/alerts/schemas.js';
import type { CrowdReportRecord } from '../domain/alerts/ports.js';
import type { PropertyAddress } from '../domain/alerts/types.js';
import { JobResource } from '../domain/jobs/resource.js';
import { groupHandler, type OperationInput } from './handler.js';
import { HttpProblem } from './problem.js';

const config = loadConfig();
const alerts = buildOutageAlerts();
const actor = (input: OperationInput): Actor => input.principal!;
const jobs = new JobResource({ outage: ['ops', 'admin'], 'price-notice': ['admin'], 'register-import': ['admin'] }, (jobId) => alerts.getJob(jobId));

/** Rate limits count per client without keeping its address: a one-way hash of it. */
const clientOf = (input: OperationInput) => createHash('sha256').update(input.sourceIp).digest('hex').slice(0, 24);

export const handler = groupHandler(
  'outages',
  {
    async createOutage(input) {
      const { status, ...created } = await alerts.createOutage(
        actor(input), input.body as CreateOutageRequest, input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {},
      );
      // Resolved inside the request (a small area): 201 with the outage's numbers. Larger: 202, the job runs on.
      if (status === 'completed') return { body: created, headers: { location: `/v1/outages/${created.outageId}` } };
      return {
        status: 202,
        body: { jobId: created.jobId, outageId: created.outageId, status },
        headers: { location: `/v1/jobs/${created.jobId}` },
      };
    },
    async getJob(input) {
      return { body: await jobs.view(actor(input), input.params.jobId ?? '') };
    },
    async getOutage(input) {
      return { body: await alerts.getOutage(input.params.outageId ?? '') };
    },
    async postOutageUpdate(input) {
      return { body: await alerts.postUpdate(actor(input), input.params.outageId ?? '', input.body as { message: string; resolved?: boolean }) };
    },
    async listOngoingWorks() {
      return { body: await alerts.ongoingWorks(), headers: { 'cache-control': 'public, max-age=30' } };
    },
    async listOngoingWorksCap() {
      return {
        rawBody: await alerts.ongoingWorksCap(),
        headers: { 'content-type': 'application/atom+xml; charset=utf-8', 'cache-control': 'public, max-age=30' },
      };
    },
    async getCapAlert(input) {
      const file = input.params.alertFile ?? '';
      if (!file.endsWith('.cap')) throw new HttpProblem(404, 'not-found', 'Not found', 'A CAP document is at /v1/public/alerts/<identifier>.cap.');
      const found = await alerts.capAlert(file.slice(0, -'.cap'.length));
      if ('supersededBy' in found) {
        throw new HttpProblem(404, 'not-found', 'Superseded', `This message was updated: the current one is alerts/${found.supersededBy}.cap.`);
      }
      return { rawBody: found.xml, headers: { 'content-type': 'application/cap+xml; charset=utf-8', 'cache-control': 'public, max-age=30' } };
    },
    async reportProblem(input) {
      const body = input.body as { address: PropertyAddress; kind: CrowdReportRecord['kind']; phone?: string };
      const result = await alerts.report(clientOf(input), body);
      if (result.limited) {
        throw new HttpProblem(429, 'too-many-requests', 'Too many reports', 'This client has sent too many reports this hour; try again later.');
      }
      return { body: { reportId: result.reportId } };
    },
    async listReportClusters() {
      return { body: { items: await alerts.clusters(), nextCursor: null } };
    },
  },
  { maxBodyBytes: config.MAX_BODY_BYTES },
);

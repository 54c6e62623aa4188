/**
 * Billing and payments (R-SE-6..15, R-FI-1..4): tariffs, billing runs in segments, one
 * invoice per customer and run, meter readings, bank payment files, credits, deferrals.
 */
import type { Actor } from '../actor.js';
import type { CustomerLogEntry, Customer } from '../customers/model.js';
import { mailingAddress } from '../customers/present.js';
import type { Service } from '../customers/schemas.js';
import { ConflictError, ForbiddenError, NotFoundError, RuleViolationError, ValidationError } from '../errors.js';
import { parsePaymentFile } from '../payments/payment-file.js';
import {
  afterPayment,
  latestValueDate,
  bookingEntries,
  defaultBookingLanes,
  eachAtOnce,
  entryId,
  wholePaymentFile,
  type BookingCounts,
  type BookingEntry,
} from './payment-booking.js';
import { addDays, invoiceDueDate, isoWeekRange } from './calendar.js';
import { billingWindow, draftInvoice, TariffGapError, type InvoiceDraft } from './compute.js';
import { stateKey, type BillingRun, type BillingState, type Invoice, type MeterReading, type TariffVersion } from './model.js';
import type { ActiveJobs, Resumed, ResumableJobs } from '../jobs/sweeper.js';
import type { JobRepository } from '../jobs/job.js';
import { meterKey, type BillingRepository, type CustomerBillingData, type RecordedPayment, type Refund } from './ports.js';
import type { BillingProfile } from './profile.js';
import { invoiceReference, normaliseReference } from './references.js';
import type { DocumentOrderQueue } from '../delivery/orders.js';
import { noBusinessMetrics, type BusinessMetrics } from '../metrics.js';

export interface SegmentJob {
  runId: string;
  segment: number;
  page: number;
  cursor?: string;
}

/** One page of one customer shard of a price-change notice list (R-SE-10), on the billing queue. */
export interface NoticePageJob {
  noticeJobId: string;
  segment: number;
  page: number;
  cursor?: string;
}

export interface BillingQueue {
  enqueue(job: SegmentJob | NoticePageJob): Promise<void>;
}

/** The kind of job that builds a price change's notice list. */
export const priceNoticeJobKind = 'price-notice';
/** A notice list with no page counted for this long is queued again (its pages are idempotent). */
export const priceNoticeStalledAfterMs = 35 * 60_000;

export interface BillingDeps {
  readonly repo: BillingRepository;
  readonly queue: BillingQueue;
  readonly now: () => Date;
  readonly profile: BillingProfile;
  readonly segments: number;
  readonly pageSize: number;
  /** Writes to the customer log (R-SE-2). */
  readonly appendLog: (entry: CustomerLogEntry) => Promise<void>;
  readonly newId: (prefix: string) => string;
  /** Payments (to different invoices) booked at once; default 8. */
  readonly bookingLanes?: number;
  /** The running jobs the sweeper looks at (lambdas/domain/jobs/sweeper.ts). */
  readonly activeJobs: ActiveJobs;
  /** Job records (GET /v1/jobs/{jobId}): the price-change notice lists. */
  readonly jobs?: JobRepository;
  /** A running run with no page counted for this long is stalled: its unfinished segments are queued again. */
  readonly stalledAfterMs: number;
  /**
   * The delivery queue (issue 12): each invoice a run writes, and each customer of a price
   * notice list, is ordered there; rendering and sending happen in the delivery job, never in
   * a billing page. Without it nothing is delivered (a function that bills nothing).
   */
  readonly documents?: DocumentOrderQueue;
  /** Invoices issued and payments booked, counted (default: nothing counted). */
  readonly metrics?: BusinessMetrics;
}

/** The kind of job a billing run is, for the sweeper. */
export const billingRunJobKind = 'billing-run';

/** R-SE-10: grid prices must be told to customers 15 days before they apply. */
const gridNoticeDays = 15;
/** R-SE-15: a second deferral within this many months needs an admin. */
const deferralWindowMonths = 12;

const isoDate = (date: Date) => date.toISOString().slice(0, 10);

/** Writes (and reads after nothing was drafted) at once, within one page of a billing run. */
const writeConcurrency = 16;

/** One invoice per customer and run month: a re-run or a second run finds it. */
const invoiceIdFor = (customer: Customer, run: BillingRun) => `inv_${customer.customerId.slice(4)}_${run.runMonth}`;

interface MeterRead {
  facilityId: string;
  meterId: string;
  /** The reading last billed (none: every reading counts). */
  after?: string;
  /** The meter's newest reading (its `BILLMETER#` marker). */
  newest: string;
  /** The newest reading is after a window's end: the run needs the one before it, found by a Query. */
  ranged: boolean;
}

/**
 * The meters a run must read: those with a reading newer than the one last billed, on a
 * service the run bills (compute.ts uses the newest reading up to the service's window end,
 * when it is newer than the last billed one). When the meter's newest reading is within the
 * window, it is that one, read by its key; otherwise the readings after the last billed one.
 */
function metersToRead(profile: BillingProfile, runMonth: string, customers: readonly CustomerBillingData[]): MeterRead[] {
  const wanted = new Map<string, MeterRead>();
  for (const data of customers) {
    for (const facility of data.facilities) {
      for (const entry of facility.services) {
        if (!entry.meter) continue;
        const key = meterKey(facility.facilityNumber, entry.meter.meterId);
        const newest = data.lastReadAt[key];
        const state = data.state[stateKey(facility.facilityNumber, entry.service)];
        const billed = state?.lastReading?.readAt;
        if (!newest || (billed !== undefined && billed >= newest)) continue;
        const window = billingWindow(profile, runMonth, entry, state);
        if (!window) continue;
        const ranged = newest.slice(0, 10) > window.end;
        // One meter on two services: after the older of their last billed readings, ranged if either is.
        const earlier = wanted.get(key);
        const after = !earlier ? billed : earlier.after === undefined || billed === undefined ? undefined : earlier.after < billed ? earlier.after : billed;
        wanted.set(key, {
          facilityId: facility.facilityNumber, meterId: entry.meter.meterId, newest, ranged: ranged || (earlier?.ranged ?? false), ...(after !== undefined ? { after } : {}),
        });
      }
    }
  }
  return [...wanted.values()];
}

/**
 * Runs `task` over `items`, at most `concurrency` at once; the results in the items' order.
 * After a failure no further item starts, and it is thrown once those running have ended
 * (nothing keeps writing after the page has failed).
 */
async function inTurns<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && !failure) {
      const index = next++;
      try {
        results[index] = await task(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}

export class Billing {
  constructor(private readonly deps: BillingDeps) {}

  private today(): string {
    return isoDate(this.deps.now());
  }

  // ---- tariffs (R-SE-10) -------------------------------------------------------------------

  async putTariff(
    actor: Actor,
    service: Service,
    input: Omit<TariffVersion, 'service' | 'createdAt' | 'createdBy'>,
  ): Promise<{ tariff: TariffVersion; notice: { jobId: string; status: string } }> {
    if (input.currency !== this.deps.profile.currency) {
      throw new ValidationError([{ path: 'currency', message: `this utility bills in ${this.deps.profile.currency}` }]);
    }
    const today = this.today();
    const versions = await this.deps.repo.tariffVersions(service);
    // A price change, not the first price list: customers must have been told in time.
    const isChange = versions.some((v) => v.effectiveFrom < input.effectiveFrom);
    if (service === 'electricity_grid' && isChange && input.effectiveFrom < addDays(today, gridNoticeDays)) {
      const noticeBy = addDays(input.effectiveFrom, -gridNoticeDays);
      if (!input.customersNotifiedAt || input.customersNotifiedAt.slice(0, 10) > noticeBy) {
        throw new RuleViolationError(
          `A grid price may change only when customers were told at least ${gridNoticeDays} days before (by ${noticeBy}).`,
          'R-SE-10',
          [{ path: 'customersNotifiedAt', message: `customers must be notified by ${noticeBy}` }],
        );
      }
    }
    const existing = versions.find((v) => v.effectiveFrom === input.effectiveFrom);
    if (existing && existing.effectiveFrom <= today) {
      throw new ConflictError(`The price from ${input.effectiveFrom} is already in force; add a new version instead.`);
    }
    const tariff: TariffVersion = { ...input, service, createdAt: this.deps.now().toISOString(), createdBy: actor.subject };
    await this.deps.repo.putTariffVersion(tariff);
    // The notice list (customers with this service, to be told of the new price: R-SE-10, R-FI-1)
    // grows with the register, so a background job builds it, one page of one shard a message.
    return { tariff, notice: await this.startNoticeList(actor, service, input.effectiveFrom) };
  }

  /** The notice list of a price version: one job per service and date (the same customers), started once. */
  private async startNoticeList(actor: Actor, service: Service, effectiveFrom: string): Promise<{ jobId: string; status: string }> {
    const jobs = this.requireJobs();
    const jobId = `job_notice_${service}_${effectiveFrom}`;
    const at = this.deps.now().toISOString();
    const created = await jobs.createJob({
      jobId, kind: priceNoticeJobKind, status: 'queued', progress: { segments: this.deps.segments, segmentsDone: 0, pagesCounted: 0, pagesExpected: 0, customersRead: 0, customersToNotify: 0 },
      errors: [], result: {}, input: { service, effectiveFrom }, createdBy: actor.subject, createdAt: at, updatedAt: at,
    });
    if (created) await this.queueNoticeSegments(jobId);
    const job = await jobs.getJob(jobId);
    return { jobId, status: job?.status ?? 'queued' };
  }

  private requireJobs(): JobRepository {
    if (!this.deps.jobs) throw new Error('Billing needs a job repository for price-change notice lists');
    return this.deps.jobs;
  }

  private async queueNoticeSegments(noticeJobId: string): Promise<void> {
    for (let segment = 0; segment < this.deps.segments; segment++) await this.deps.queue.enqueue({ noticeJobId, segment, page: 0 });
  }

  /**
   * One page of one shard of a notice list: the customers with the service on or after the
   * price's date are written as `NOTICE#<jobId>` items (idempotent puts), the next page queued,
   * and the page counted once on the job; the last shard's last page completes it.
   */
  async processNoticePage(job: NoticePageJob): Promise<void> {
    const jobs = this.requireJobs();
    const record = await jobs.getJob<{ service: Service; effectiveFrom: string }>(job.noticeJobId);
    if (!record || record.status === 'completed' || record.status === 'failed') return;
    const { service, effectiveFrom } = record.input;
    const page = await this.deps.repo.customerPage(job.segment, this.deps.pageSize, job.cursor);
    const data = await this.deps.repo.billingDataOf(page.customers.map((customer) => customer.customerId));
    const toNotify = page.customers
      .filter((customer) => (data.get(customer.customerId)?.facilities ?? []).some((f) => f.services.some((s) => s.service === service && (!s.endDate || s.endDate >= effectiveFrom))))
      .map((customer) => customer.customerId);
    await this.deps.repo.putNoticeEntries(job.noticeJobId, toNotify);
    // R-SE-10, R-FI-1: each customer on the list gets the letter (ordered; a page delivered twice orders the same documents).
    for (const customerId of toNotify) await this.deps.documents?.order({ kind: 'price_notice', noticeJobId: job.noticeJobId, customerId });
    if (page.nextCursor) await this.deps.queue.enqueue({ ...job, page: job.page + 1, cursor: page.nextCursor });
    const at = this.deps.now().toISOString();
    const after = await jobs.countOnce(job.noticeJobId, `${job.segment}#${job.page}`, {
      customersRead: page.customers.length, customersToNotify: toNotify.length, segmentsDone: page.nextCursor ? 0 : 1,
      // Done when every shard's last page is counted and every page before them (a redelivered
      // page may come after its shard's last one): a last page tells how many its shard has.
      pagesCounted: 1, pagesExpected: page.nextCursor ? 0 : job.page + 1,
    }, at);
    const progress = after?.progress;
    if (progress && (progress.segmentsDone ?? 0) >= (progress.segments ?? this.deps.segments) && (progress.pagesCounted ?? 0) >= (progress.pagesExpected ?? 0)) {
      await jobs.updateJob(job.noticeJobId, { status: 'completed', result: { customersToNotify: after.progress.customersToNotify ?? 0, service, effectiveFrom } }, at);
    }
  }

  /** The customers of a notice list (the letters of R-SE-10 go to them). */
  async noticeList(jobId: string): Promise<string[]> {
    return this.deps.repo.noticeEntries(jobId);
  }

  /** The sweeper's view of notice lists: a stalled one gets every shard queued again from its first page (pages are idempotent). */
  get resumableNotices(): ResumableJobs {
    return {
      kind: priceNoticeJobKind,
      stalledAfterMs: priceNoticeStalledAfterMs,
      resumeStalled: async (now) => {
        const jobs = this.requireJobs();
        const stalled = await jobs.openJobsUntouchedSince(priceNoticeJobKind, new Date(now.getTime() - priceNoticeStalledAfterMs).toISOString());
        for (const jobId of stalled) {
          await this.queueNoticeSegments(jobId);
          await jobs.updateJob(jobId, {}, now.toISOString());
        }
        return stalled.map((jobId) => ({ kind: priceNoticeJobKind, jobId, requeued: this.deps.segments }));
      },
    };
  }

  async tariffs(service: Service): Promise<TariffVersion[]> {
    return (await this.deps.repo.tariffVersions(service)).sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
  }

  // ---- billing runs -----------------------------------------------------------------------

  /** The run's id comes from its month and region: starting it twice starts one run. */
  async startRun(input: { runMonth?: string; region?: string }): Promise<BillingRun> {
    const runMonth = input.runMonth ?? this.today().slice(0, 7);
    const region = input.region ?? 'all';
    if (region !== 'all' && !this.deps.profile.regions.some((r) => r.region === region)) {
      throw new ValidationError([{ path: 'region', message: `unknown region; one of ${this.deps.profile.regions.map((r) => r.region).join(', ')}` }]);
    }
    const run: BillingRun = {
      runId: `run_${runMonth}_${region.toLowerCase()}`,
      runMonth,
      region,
      status: 'running',
      segments: this.deps.segments,
      segmentsDone: 0,
      customersDone: 0,
      invoicesWritten: 0,
      errors: 0,
      errorSamples: [],
      startedAt: this.deps.now().toISOString(),
    };
    if (!(await this.deps.repo.createRun(run))) {
      // Started before: a stalled run (a lost or dead-lettered page) goes on from where it stopped.
      const existing = (await this.deps.repo.getRun(run.runId))!;
      if (this.isStalled(existing, this.deps.now())) await this.requeueUnfinished(existing);
      return (await this.deps.repo.getRun(run.runId)) ?? existing;
    }
    // Listed before the first segment is queued: a crash in between leaves a run the sweeper finds.
    await this.deps.activeJobs.add(billingRunJobKind, run.runId, run.startedAt);
    for (let segment = 0; segment < this.deps.segments; segment++) {
      await this.deps.queue.enqueue({ runId: run.runId, segment, page: 0 });
    }
    return run;
  }

  private isStalled(run: BillingRun, now: Date): boolean {
    return run.status === 'running' && (run.updatedAt ?? run.startedAt) < new Date(now.getTime() - this.deps.stalledAfterMs).toISOString();
  }

  /**
   * Queues again, for each segment not done, the page after its last recorded one (from that
   * page's cursor), or its first page when none was recorded; and each page missing before a
   * recorded one (a lost or dead-lettered message), from the cursor of the page before it.
   * Pages are idempotent, so a page that was only slow, not lost, costs a second read and
   * writes nothing twice.
   */
  private async requeueUnfinished(run: BillingRun): Promise<number> {
    const bySegment = new Map<number, Map<number, { lastPage: boolean; nextCursor?: string }>>();
    for (const page of await this.deps.repo.segmentPages(run.runId)) {
      if (!bySegment.has(page.segment)) bySegment.set(page.segment, new Map());
      bySegment.get(page.segment)!.set(page.page, page);
    }
    let requeued = 0;
    const requeue = async (job: SegmentJob) => {
      await this.deps.queue.enqueue(job);
      requeued++;
    };
    for (let segment = 0; segment < run.segments; segment++) {
      const pages = bySegment.get(segment) ?? new Map<number, { lastPage: boolean; nextCursor?: string }>();
      const last = Math.max(-1, ...pages.keys());
      for (let page = 0; page < last; page++) {
        if (pages.has(page)) continue;
        // The first page of a gap (the pages after it follow from it, each counted once).
        if (page === 0) await requeue({ runId: run.runId, segment, page: 0 });
        else if (pages.get(page - 1)?.nextCursor) await requeue({ runId: run.runId, segment, page, cursor: pages.get(page - 1)!.nextCursor! });
      }
      const newest = pages.get(last);
      if (newest?.lastPage) continue;
      await requeue(newest ? { runId: run.runId, segment, page: last + 1, ...(newest.nextCursor ? { cursor: newest.nextCursor } : {}) } : { runId: run.runId, segment, page: 0 });
    }
    await this.deps.repo.markRequeued(run.runId, this.deps.now().toISOString());
    return requeued;
  }

  /** The sweeper's view of billing runs (lambdas/domain/jobs/sweeper.ts). */
  get resumable(): ResumableJobs {
    return {
      kind: billingRunJobKind,
      stalledAfterMs: this.deps.stalledAfterMs,
      resumeStalled: (now) => this.resumeStalled(now),
    };
  }

  /** Re-queues every stalled run's unfinished segments; completed runs leave the active list. */
  async resumeStalled(now: Date): Promise<Resumed[]> {
    const resumed: Resumed[] = [];
    for (const runId of await this.deps.activeJobs.list(billingRunJobKind)) {
      const run = await this.deps.repo.getRun(runId);
      if (!run || run.status !== 'running') {
        await this.deps.activeJobs.remove(billingRunJobKind, runId);
        continue;
      }
      if (this.isStalled(run, now)) resumed.push({ kind: billingRunJobKind, jobId: runId, requeued: await this.requeueUnfinished(run) });
    }
    return resumed;
  }

  async getRun(runId: string): Promise<BillingRun> {
    const run = await this.deps.repo.getRun(runId);
    if (!run) throw new NotFoundError('No such billing run.');
    return run;
  }

  /**
   * One page of one segment; the next page goes back on the queue. Safe to deliver twice,
   * and to run beside a second run of the same month: each customer's invoice has a
   * deterministic id and is written with a conditional put, and the billing state records
   * the invoice that handed it on, so a customer whose state this run's invoice handed on is
   * done. Per page, the DynamoDB work is: one Query of each customer's partition, the newest
   * reading of each meter read since it was last billed (by key, in batches; a Query where
   * that is not the one to bill), one reservation of invoice numbers, the conditional put of
   * each invoice, and the states they hand on, in batches (docs/DATA.md).
   */
  async processSegment(job: SegmentJob): Promise<void> {
    const run = await this.getRun(job.runId);
    const page = await this.deps.repo.customerPage(job.segment, this.deps.pageSize, job.cursor);
    const customers = page.customers.filter((customer) => run.region === 'all' || (customer.billingRegion ?? this.deps.profile.defaultRegion) === run.region);
    const { invoicesWritten, errorSamples, invoiceIds } = await this.invoicePage(customers, run);
    // Every invoice of this run in the page is ordered for delivery, also those an earlier delivery
    // of the page wrote (it may have died before ordering): the delivery side takes each once.
    for (const invoiceId of invoiceIds) await this.deps.documents?.order({ kind: 'invoice', invoiceId });
    if (page.nextCursor) await this.deps.queue.enqueue({ ...job, page: job.page + 1, cursor: page.nextCursor });
    await this.deps.repo.recordSegmentPage(job.runId, job.segment, job.page, {
      customersDone: customers.length, invoicesWritten, errors: errorSamples.length, lastPage: !page.nextCursor, errorSamples,
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}), at: this.deps.now().toISOString(),
    });
  }

  /** Writes each customer's invoice for the run, once; returns how many were written now and the customers that could not be billed. */
  private async invoicePage(customers: readonly Customer[], run: BillingRun): Promise<{ invoicesWritten: number; errorSamples: { customerId: string; reason: string }[]; invoiceIds: string[] }> {
    const errorSamples: { customerId: string; reason: string }[] = [];
    // The price lists are the same for every customer of the page: read each service's once.
    const tariffs = new Map<string, Promise<TariffVersion[]>>();
    const tariffsOf = (service: Service) => {
      if (!tariffs.has(service)) tariffs.set(service, this.tariffs(service));
      return tariffs.get(service)!;
    };
    // Each customer's partition, read once: facilities, deposits, credit, billing state, meters.
    const data = await this.deps.repo.billingDataOf(customers.map((customer) => customer.customerId));
    const dataOf = (customer: Customer) => data.get(customer.customerId)!;
    // Done when this run's invoice handed the state on (a re-delivered page, a second run).
    const open = customers.filter((customer) => dataOf(customer).stateInvoiceId !== invoiceIdFor(customer, run));
    const readings = await this.readingsFor(metersToRead(this.deps.profile, run.runMonth, open.map(dataOf)));

    const drafted: { customer: Customer; draft: InvoiceDraft }[] = [];
    const nothingDrafted: { customer: Customer; error?: RuleViolationError }[] = [];
    for (const customer of open) {
      try {
        const draft = await this.draftFor(customer, run, dataOf(customer), readings, tariffsOf);
        if (draft.lines.length > 0) drafted.push({ customer, draft });
        else nothingDrafted.push({ customer });
      } catch (error) {
        if (!(error instanceof TariffGapError || error instanceof RuleViolationError)) throw error;
        nothingDrafted.push({ customer, error });
      }
    }
    // An invoice an earlier attempt wrote before the customer's data changed: finish it.
    // One batched read finds the rare invoice of a customer that now drafts nothing (most drafting nothing have none).
    const written = nothingDrafted.length > 0 ? await this.deps.repo.invoicesByIds(nothingDrafted.map(({ customer }) => invoiceIdFor(customer, run))) : new Map<string, Invoice>();
    const finished = await inTurns(nothingDrafted, writeConcurrency, ({ customer }) => this.finishWritten(customer, run, dataOf(customer), written.get(invoiceIdFor(customer, run)) ?? null));
    nothingDrafted.forEach(({ customer, error }, i) => {
      if (error && !finished[i]) errorSamples.push({ customerId: customer.customerId, reason: error.message });
    });
    // This run's invoices that an earlier delivery of this page wrote (a crash before the page was
    // counted): counted with the page, so the run's total is exact however often a page is delivered.
    const byThisRun = (invoice: Invoice | undefined) => invoice?.runId === run.runId;
    const finishedByThisRun = nothingDrafted.filter(({ customer }, i) => finished[i] && byThisRun(written.get(invoiceIdFor(customer, run)))).length;
    const doneBefore = customers.filter((customer) => dataOf(customer).stateInvoiceId === invoiceIdFor(customer, run)).map((customer) => invoiceIdFor(customer, run));
    const ofThisRun = async (invoiceIds: string[]) => (invoiceIds.length === 0 ? [] : [...(await this.deps.repo.invoicesByIds(invoiceIds)).values()].filter(byThisRun).map((i) => i.invoiceId));
    const finishedIds = nothingDrafted.filter(({ customer }, i) => finished[i] && byThisRun(written.get(invoiceIdFor(customer, run)))).map(({ customer }) => invoiceIdFor(customer, run));
    if (drafted.length === 0) {
      const before = await ofThisRun(doneBefore);
      return { invoicesWritten: finishedByThisRun + before.length, errorSamples, invoiceIds: [...finishedIds, ...before] };
    }

    // One reservation of invoice numbers for the page (docs/DATA.md: unique, gaps possible).
    const firstNumber = await this.deps.repo.reserveInvoiceNumbers(drafted.length);
    // The states the new invoices hand on, written last and together: a state names its invoice
    // as done, so it goes after the invoice and the credit it used (also when another failed).
    const states: { customerId: string; invoiceId: string; state: BillingState; reference: string }[] = [];
    const existed: string[] = [];
    try {
      const issueDate = this.today();
      const dates = { issueDate, dueDate: invoiceDueDate(this.deps.profile.country, run.runMonth, issueDate) };
      await inTurns(drafted, writeConcurrency, async ({ customer, draft }, i) => {
        if (await this.writeInvoice(customer, run, dataOf(customer), draft, firstNumber + i, dates)) {
          // With its payment reference: the page's states write the reference's lookup item too (a payment file finds the invoice by key).
          states.push({ customerId: customer.customerId, invoiceId: invoiceIdFor(customer, run), state: draft.stateAfter, reference: invoiceReference(this.deps.profile.country, firstNumber + i) });
        } else {
          existed.push(invoiceIdFor(customer, run));
        }
      });
    } finally {
      // Counted as written (insertInvoice is conditional: a page delivered again writes, and counts, none twice).
      (this.deps.metrics ?? noBusinessMetrics).invoicesIssued(states.length);
      if (states.length > 0) await this.deps.repo.setBillingStates(states);
    }
    const before = await ofThisRun([...doneBefore, ...existed]);
    return { invoicesWritten: states.length + finishedByThisRun + before.length, errorSamples, invoiceIds: [...states.map((s) => s.invoiceId), ...finishedIds, ...before] };
  }

  /** The readings `metersToRead` asked for: by key where it can, else (or when that reading is missing) by Query. */
  private async readingsFor(meters: readonly MeterRead[]): Promise<Map<string, MeterReading[]>> {
    const byKey = meters.filter((meter) => !meter.ranged);
    const found = await this.deps.repo.readingsAt(byKey.map(({ facilityId, meterId, newest }) => ({ facilityId, meterId, readAt: newest })));
    // A marker is written before its reading: one whose reading never came is read by Query.
    const ranged = meters.filter((meter) => meter.ranged || !found.has(meterKey(meter.facilityId, meter.meterId)));
    const lists = await this.deps.repo.readingsAfter(ranged.map(({ facilityId, meterId, after }) => ({ facilityId, meterId, ...(after !== undefined ? { after } : {}) })));
    for (const [key, reading] of found) lists.set(key, [reading]);
    return lists;
  }

  private async draftFor(
    customer: Customer,
    run: BillingRun,
    data: CustomerBillingData,
    readings: Map<string, MeterReading[]>,
    tariffsOf: (service: Service) => Promise<TariffVersion[]>,
  ): Promise<InvoiceDraft> {
    const tariffs = new Map<string, TariffVersion[]>();
    for (const service of new Set(data.facilities.flatMap((f) => f.services.map((s) => s.service)))) {
      tariffs.set(service, await tariffsOf(service));
    }
    return draftInvoice({
      customer,
      facilities: data.facilities,
      runMonth: run.runMonth,
      profile: this.deps.profile,
      tariffAt: (service, date) => tariffs.get(service)?.filter((v) => v.effectiveFrom <= date).at(-1),
      readings: (facilityId, meterId) => readings.get(meterKey(facilityId, meterId)) ?? [],
      previousState: data.state,
      creditAvailable: data.creditBalance,
      deposits: data.deposits,
      fees: data.fees,
    });
  }

  /** Writes the invoice and the credit it used (the caller then writes the state it hands on); false when it existed (then finishes it). */
  private async writeInvoice(
    customer: Customer,
    run: BillingRun,
    data: CustomerBillingData,
    draft: InvoiceDraft,
    invoiceNumber: number,
    dates: { issueDate: string; dueDate: string },
  ): Promise<boolean> {
    const invoiceId = invoiceIdFor(customer, run);
    const net = draft.lines.reduce((sum, l) => sum + l.net, 0);
    const vat = draft.lines.reduce((sum, l) => sum + l.vat, 0);
    const total = draft.lines.reduce((sum, l) => sum + l.gross, 0);
    const reference = invoiceReference(this.deps.profile.country, invoiceNumber);
    const channel = customer.protectedIdentity ? 'paper' : customer.deliveryChannel ?? (customer.email ? 'email' : 'paper');
    const invoice: Invoice = {
      invoiceId,
      invoiceNumber,
      customerId: customer.customerId,
      runId: run.runId,
      runMonth: run.runMonth,
      ...dates,
      currency: this.deps.profile.currency,
      lines: draft.lines,
      net,
      vat,
      total,
      openAmount: Math.max(0, total),
      status: total <= 0 ? 'paid' : 'open',
      reference,
      referenceType: this.deps.profile.country === 'FI' ? 'fi_reference' : this.deps.profile.country === 'NO' ? 'kid' : 'ocr',
      delivery: {
        channel,
        address: mailingAddress(customer),
        ...(channel === 'email' && customer.email ? { email: customer.email } : {}),
      },
      finalInvoiceFacilities: draft.finalInvoiceFacilities,
      appliedPayments: [],
      deferrals: [],
      stateAfter: draft.stateAfter,
      createdAt: this.deps.now().toISOString(),
      version: 1,
    };
    if (!(await this.deps.repo.insertInvoice(invoice))) {
      // Written before: by an attempt that stopped before the state was saved, or by a second run.
      await this.finishWritten(customer, run, data);
      return false;
    }
    if (draft.creditUsed > 0) await this.deps.repo.addCredit(customer.customerId, `use-${invoiceId}`, -draft.creditUsed, invoice.currency);
    return true;
  }

  /**
   * When this run's invoice of the customer exists: records the credit it used and the state
   * it hands on (both idempotent), unless a later invoice has handed on a newer state. False
   * when there is no such invoice.
   */
  private async finishWritten(customer: Customer, run: BillingRun, data: CustomerBillingData, read?: Invoice | null): Promise<boolean> {
    const invoiceId = invoiceIdFor(customer, run);
    // `read`: the invoice already read (null: read, and not there).
    const existing = read === undefined ? await this.deps.repo.getInvoice(invoiceId) : read;
    if (!existing) return false;
    const creditUsed = -existing.lines.filter((l) => l.kind === 'prepayment').reduce((sum, l) => sum + l.gross, 0);
    if (creditUsed > 0) await this.deps.repo.addCredit(customer.customerId, `use-${invoiceId}`, -creditUsed, existing.currency);
    // Invoice ids of one customer differ only in their month (`inv_<customer>_<yyyy-mm>`): a greater id is a later invoice.
    if (data.stateInvoiceId === undefined || data.stateInvoiceId < invoiceId) {
      await this.deps.repo.setBillingState(customer.customerId, invoiceId, existing.stateAfter);
    }
    return true;
  }

  // ---- invoices --------------------------------------------------------------------------

  async getInvoice(actor: Actor, invoiceId: string): Promise<Invoice> {
    const invoice = await this.deps.repo.getInvoice(invoiceId);
    if (!invoice || (actor.role === 'customer' && actor.customerId !== invoice.customerId)) throw new NotFoundError('No such invoice.');
    return invoice;
  }

  async invoicesOf(customerId: string): Promise<Invoice[]> {
    return (await this.deps.repo.invoicesOf(customerId)).sort((a, b) => b.issueDate.localeCompare(a.issueDate));
  }

  /** R-SE-15: deferral only with a reason; a second one within 12 months needs an admin. */
  async defer(actor: Actor, invoiceId: string, input: { until: string; reason: string }): Promise<Invoice> {
    const invoice = await this.getInvoice(actor, invoiceId);
    if (invoice.status !== 'open') throw new ConflictError('Only an open invoice can be deferred.');
    if (input.until <= invoice.dueDate) {
      throw new ValidationError([{ path: 'until', message: `must be after the due date ${invoice.dueDate}` }]);
    }
    const windowStart = addDays(this.today(), -Math.round(deferralWindowMonths * 30.44));
    const recent = (await this.deps.repo.invoicesOf(invoice.customerId)).flatMap((i) => i.deferrals).filter((d) => d.at.slice(0, 10) >= windowStart);
    if (recent.length > 0 && actor.role !== 'admin') {
      throw new ForbiddenError('A second deferral within 12 months needs an admin (R-SE-15).', [{ path: 'until', message: 'needs an admin' }]);
    }
    const at = this.deps.now().toISOString();
    const next: Invoice = {
      ...invoice,
      dueDate: input.until,
      deferrals: [...invoice.deferrals, { until: input.until, reason: input.reason, by: actor.subject, at }],
      version: invoice.version + 1,
    };
    await this.deps.repo.replaceInvoice(next, invoice.version);
    await this.deps.appendLog({
      entryId: this.deps.newId('log'), customerId: invoice.customerId, at, author: { subject: actor.subject, role: actor.role },
      type: 'note', text: `Invoice ${invoice.invoiceNumber} deferred to ${input.until}: ${input.reason}${recent.length > 0 ? ' (repeated deferral)' : ''}`,
    });
    return next;
  }

  // ---- meter readings (R-FI-4, R-SE-9) -----------------------------------------------------

  async recordReading(actor: Actor, input: { facilityId: string; meterId: string; value: number; readAt: string }): Promise<MeterReading> {
    const facility = await this.deps.repo.facilityById(input.facilityId);
    if (!facility || (actor.role === 'customer' && actor.customerId !== facility.customerId)) {
      throw new NotFoundError('No such facility.');
    }
    const service = facility.services.find((s) => s.meter?.meterId === input.meterId);
    if (!service?.meter) throw new ValidationError([{ path: 'meterId', message: 'no such meter at this facility' }]);
    if (actor.role === 'customer') {
      if (service.meter.readingMode === 'remote') {
        throw new RuleViolationError('This meter is read remotely; customers do not report it.', 'R-FI-4', [{ path: 'meterId', message: 'remote-read meter' }]);
      }
      if (this.deps.profile.country === 'FI' && !this.inFinnishReadingWeek(input.readAt.slice(0, 10))) {
        throw new RuleViolationError('Readings are reported in the reading week (weeks 13, 26, 39 and 52).', 'R-FI-4', [{ path: 'readAt', message: 'not in a reading week' }]);
      }
    }
    if (input.readAt > this.deps.now().toISOString()) throw new ValidationError([{ path: 'readAt', message: 'in the future' }]);
    const previous = (await this.deps.repo.readingsOf(input.facilityId, input.meterId)).filter((r) => r.readAt <= input.readAt).at(-1);
    if (previous && input.value < previous.value) {
      throw new ValidationError([{ path: 'value', message: `lower than the last reading (${previous.value} on ${previous.readAt.slice(0, 10)})` }]);
    }
    if (previous) {
      const days = Math.max(1, (Date.parse(input.readAt) - Date.parse(previous.readAt)) / 86_400_000);
      const expectedPerDay = (service.expectedAnnualUse ?? 0) / 365;
      // More than ten times the expected use, or 1000 units a day without an expectation, is not believable.
      const limit = expectedPerDay > 0 ? expectedPerDay * days * 10 : 1000 * days;
      if (input.value - previous.value > limit) {
        throw new ValidationError([{ path: 'value', message: `implausibly high: ${input.value - previous.value} units in ${Math.round(days)} days` }]);
      }
    }
    const reading: MeterReading = {
      facilityId: input.facilityId, meterId: input.meterId, value: input.value, readAt: new Date(input.readAt).toISOString(),
      source: actor.role === 'customer' ? 'customer' : 'staff', recordedAt: this.deps.now().toISOString(),
    };
    if (!(await this.deps.repo.putReading(reading, facility.customerId))) throw new ConflictError('A reading at this time is already recorded.');
    return reading;
  }

  private inFinnishReadingWeek(date: string): boolean {
    const year = Number(date.slice(0, 4));
    return [13, 26, 39, 52].some((week) => {
      const range = isoWeekRange(year, week);
      return date >= range.monday && date <= range.sunday;
    });
  }

  // ---- payments (R-SE-13, R-SE-14) --------------------------------------------------------

  /**
   * Books a bank file: whole or not at all; a file imported twice books nothing twice.
   * `latestValueDate`: the latest value date of its payments (payment-booking.ts), for the ledger's date.
   */
  async importPayments(bytes: Uint8Array): Promise<BookingCounts & { latestValueDate?: string }> {
    const report = wholePaymentFile(parsePaymentFile(bytes));
    const counts = await this.bookEntries(bookingEntries(report));
    const latest = latestValueDate(report);
    return { ...counts, ...(latest ? { latestValueDate: latest } : {}) };
  }

  /**
   * Books payments and deductions of a whole file (or a chunk of one), each once however often
   * this runs: payments recorded before are found by one batch read, not one read each; the
   * invoices by reference the same way; then each payment is applied (conditional on the
   * invoice's version and on the payment not being applied yet) and recorded. Payments to
   * different invoices are booked several at once, those to one invoice one after another.
   * `importId`: the asynchronous import booking a chunk; what it booked before counts as booked.
   */
  async bookEntries(entries: readonly BookingEntry[], importId?: string): Promise<BookingCounts> {
    const counts: BookingCounts = { payments: 0, matched: 0, unmatched: 0, overpaid: 0, alreadyImported: 0, deductions: 0, otherCurrency: 0 };
    const known = await this.deps.repo.paymentsByIds(entries.map(entryId));
    const importedAt = this.deps.now().toISOString();
    const mine = (payment: RecordedPayment) => importId !== undefined && payment.importId === importId;
    const tally = (payment: RecordedPayment) => {
      if (payment.deduction) counts.deductions++;
      else if (payment.status === 'unmatched') counts.unmatched++;
      else counts.matched++;
      if (!payment.deduction && payment.unmatchedReason === 'currency') counts.otherCurrency++;
      if (payment.credited > 0) counts.overpaid++;
    };
    // Recorded before, or meanwhile by someone else: booked by this import (a chunk delivered again, or twice at once) or not.
    const settle = (payment: RecordedPayment) => (mine(payment) ? tally(payment) : counts.alreadyImported++);
    // Payments recorded by this call (not deductions, not those a delivery before recorded): the metrics.
    const recordedNow = { booked: 0, unmatched: 0 };

    const deductions: RecordedPayment[] = [];
    const toBook: { payment: RecordedPayment; fresh: boolean }[] = [];
    for (const entry of entries) {
      if (entry.kind === 'payment') counts.payments++;
      const before = known.get(entryId(entry));
      if (before && (entry.kind === 'deduction' || before.status !== 'received')) {
        settle(before);
        continue;
      }
      const stamp = { applied: 0, credited: 0, importedAt, ...(importId ? { importId } : {}) };
      if (entry.kind === 'deduction') {
        const { deductionId, ...deduction } = entry.deduction;
        deductions.push({ ...deduction, paymentId: deductionId, deduction: true, status: 'unmatched', ...stamp });
      } else {
        toBook.push(before ? { payment: before, fresh: false } : { payment: { ...entry.payment, status: 'received', ...stamp }, fresh: true });
      }
    }
    const references = [
      ...new Set([...deductions, ...toBook.map(({ payment }) => payment)].flatMap((payment) => (payment.reference ? [normaliseReference(payment.reference)] : []))),
    ];
    const invoices = references.length > 0 ? await this.deps.repo.invoicesByReferences(references) : new Map<string, Invoice>();

    // A deduction is booked against the invoice its reference names (payment-booking.ts,
    // BookingEntry): the customer's credit reduced once (idempotent by source id), then recorded.
    for (const deduction of deductions) {
      const invoice = deduction.reference ? invoices.get(normaliseReference(deduction.reference)) : undefined;
      let booked: RecordedPayment = { ...deduction, status: 'unmatched' };
      if (invoice && invoice.currency === deduction.amount.currency && deduction.amount.currency === this.deps.profile.currency) {
        await this.deps.repo.addCredit(invoice.customerId, `ded-${deduction.paymentId}`, -deduction.amount.amount, deduction.amount.currency);
        booked = { ...deduction, status: 'matched', invoiceId: invoice.invoiceId, credited: -deduction.amount.amount };
      }
      const existing = await this.deps.repo.recordPayment(booked);
      if (existing) settle(existing);
      else tally(booked);
    }

    const groups = new Map<string, { payment: RecordedPayment; fresh: boolean }[]>();
    for (const item of toBook) {
      const invoice = item.payment.reference ? invoices.get(normaliseReference(item.payment.reference)) : undefined;
      const key = invoice ? `invoice:${invoice.invoiceId}` : `payment:${item.payment.paymentId}`;
      const group = groups.get(key);
      if (group) group.push(item);
      else groups.set(key, [item]);
    }
    await eachAtOnce([...groups.values()], this.deps.bookingLanes ?? defaultBookingLanes, async (group) => {
      let invoice = group[0]!.payment.reference ? invoices.get(normaliseReference(group[0]!.payment.reference)) : undefined;
      for (const { payment, fresh } of group) {
        const booked = await this.book(payment, { invoice, fresh });
        invoice = booked.invoice;
        if (booked.recordedBefore) settle(booked.payment);
        else {
          tally(booked.payment);
          recordedNow.booked++;
          if (booked.payment.status === 'unmatched') recordedNow.unmatched++;
        }
      }
    });
    (this.deps.metrics ?? noBusinessMetrics).paymentsBooked(recordedNow);
    return counts;
  }

  /**
   * Matches by reference (or the invoice given) and applies; an overpayment becomes credit
   * (R-SE-14). The payment record is written last: a crash before it leaves the invoice and
   * the credit applied once (their own conditions), and booking again finds them and writes it.
   * `fresh`: the payment is not recorded yet (its write is conditional; `recordedBefore` when
   * someone else recorded it meanwhile). Returns the invoice as it is after this payment.
   */
  private async book(
    payment: RecordedPayment,
    target: { invoice: Invoice | undefined; fresh: boolean; allocate?: boolean },
  ): Promise<{ payment: RecordedPayment; invoice: Invoice | undefined; recordedBefore: boolean }> {
    const invoice = target.invoice;
    if (payment.amount.currency !== this.deps.profile.currency) {
      // A currency the utility does not invoice (a EUR BgMax deposit): an agent handles it.
      const unmatched: RecordedPayment = { ...payment, status: 'unmatched', unmatchedReason: 'currency' };
      return { ...(await this.save(unmatched, target.fresh)), invoice };
    }
    if (!invoice || invoice.currency !== payment.amount.currency) {
      const unmatched: RecordedPayment = { ...payment, status: 'unmatched' };
      return { ...(await this.save(unmatched, target.fresh)), invoice };
    }
    const { applied, invoice: after } = await this.applyOnce(invoice, payment);
    const credited = payment.amount.amount - applied;
    if (credited > 0) await this.deps.repo.addCredit(invoice.customerId, `pay-${payment.paymentId}`, credited, payment.amount.currency);
    const booked: RecordedPayment = { ...payment, status: target.allocate ? 'allocated' : 'matched', invoiceId: invoice.invoiceId, applied, credited };
    return { ...(await this.save(booked, target.fresh)), invoice: after };
  }

  private async save(payment: RecordedPayment, fresh: boolean): Promise<{ payment: RecordedPayment; recordedBefore: boolean }> {
    if (!fresh) {
      await this.deps.repo.updatePayment(payment);
      return { payment, recordedBefore: false };
    }
    const existing = await this.deps.repo.recordPayment(payment);
    return existing ? { payment: existing, recordedBefore: true } : { payment, recordedBefore: false };
  }

  /**
   * Applies as much of the payment as the invoice still owes, once: a payment booked
   * before (a crash, a re-import) keeps the amount it was booked with. Returns the invoice
   * as it is after (the next payment to it starts from that version).
   */
  private async applyOnce(first: Invoice, payment: RecordedPayment): Promise<{ applied: number; invoice: Invoice }> {
    let invoice: Invoice | undefined = first;
    for (let attempt = 0; invoice && attempt < 5; attempt++) {
      const prior = invoice.appliedPayments.find((p) => p.paymentId === payment.paymentId);
      if (prior) return { applied: prior.amount, invoice };
      const amount = Math.min(invoice.openAmount, payment.amount.amount);
      if (amount === 0) return { applied: 0, invoice };
      // The value date: when the money was the utility's (camt ValDt; BgMax the payment date).
      const applied = { paymentId: payment.paymentId, amount, bookedAt: payment.valueDate ?? payment.bookingDate };
      if (await this.deps.repo.applyPayment(invoice, applied)) return { applied: amount, invoice: afterPayment(invoice, applied) };
      invoice = await this.deps.repo.getInvoice(invoice.invoiceId);
    }
    throw new ConflictError('The invoice kept changing while the payment was booked; import the file again.');
  }

  /**
   * R-SE-14: pays credit back on request: Arvika through the bank's payout service, Eda to
   * the customer's bank account (which must then be given).
   */
  async refund(actor: Actor, customerId: string, input: { amount?: number; bankAccount?: string }, customer: Customer): Promise<Refund> {
    const balance = await this.deps.repo.creditBalance(customerId);
    const amount = input.amount ?? balance;
    if (amount <= 0 || amount > balance) {
      throw new RuleViolationError(`The customer's credit is ${balance}; a refund must be above 0 and at most that.`, 'R-SE-14', [
        { path: 'amount', message: `at most ${balance}` },
      ]);
    }
    const method = (customer.billingRegion ?? this.deps.profile.defaultRegion) === 'Eda' ? 'bank_account' : 'payout_service';
    if (method === 'bank_account' && !input.bankAccount) {
      throw new ValidationError([{ path: 'bankAccount', message: 'Eda pays refunds to the customer’s bank account: give it' }]);
    }
    const refund: Refund = {
      refundId: this.deps.newId('ref'), customerId, amount, currency: this.deps.profile.currency, method,
      ...(method === 'bank_account' ? { bankAccount: input.bankAccount! } : {}),
      status: 'ordered', orderedAt: this.deps.now().toISOString(), orderedBy: actor.subject,
    };
    await this.deps.repo.insertRefund(refund);
    await this.deps.repo.addCredit(customerId, `refund-${refund.refundId}`, -amount, refund.currency);
    return refund;
  }

  async unmatched(): Promise<RecordedPayment[]> {
    return this.deps.repo.unmatchedPayments();
  }

  /** An agent allocates a payment that matched nothing. */
  async allocate(paymentId: string, invoiceId: string): Promise<RecordedPayment> {
    const payment = await this.deps.repo.getPayment(paymentId);
    if (!payment) throw new NotFoundError('No such payment.');
    if (payment.status !== 'unmatched') throw new ConflictError('Only an unmatched payment can be allocated.');
    if (payment.deduction) throw new ConflictError('A deduction (a credit invoice set off by the payer) is settled by hand in the ledger.');
    const invoice = await this.deps.repo.getInvoice(invoiceId);
    if (!invoice) throw new ValidationError([{ path: 'invoiceId', message: 'no such invoice' }]);
    if (invoice.currency !== payment.amount.currency) throw new ValidationError([{ path: 'invoiceId', message: `the invoice is in ${invoice.currency}` }]);
    return (await this.book(payment, { invoice, fresh: false, allocate: true })).payment;
  }
}

/**
 * Outage alerts (R-SMS-1..8, R-COM-1..2): the address register, self-service
 * subscriptions and opt-outs, outages with their recipients, paced idempotent sending,
 * follow-ups, the public feed and crowd reports.
 */
import { createHash } from 'node:crypto';
import type { Actor } from '../actor.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../errors.js';
import { toE164 } from '../phone.js';
import { addressKey } from './address.js';
import { areaIndexKeys, addressInArea, validateArea } from './area.js';
import { renderCapAlert, renderCapAtomFeed, defaultCapSeverity, defaultCapUrgency, type CapAlertInput } from './cap.js';
import { clusterReports, type ReportCluster } from './clusters.js';
import { checkSegmentLimit, composeAlert, composeVoice, categoryLabel, languageTags } from './compose.js';
import { jobIdFor, type Job, type JobRepository } from '../jobs/job.js';
import type {
  AddressRecord,
  AlertJobQueue,
  AlertRepository,
  CrowdReportRecord,
  Outage,
  OutageMessage,
  Recipient,
  SendQueue,
  SmsSender,
  Subscription,
  VoiceSender,
} from './ports.js';
import { RetryableSendError, SendFailure } from './ports.js';
import { sendTimeFor } from './quiet-hours.js';
import { parseAddressRegisterCsv } from './register-csv.js';
import { estimateCost, measureSms } from './sms-encoding.js';
import type { CreateOutageRequest } from './schemas.js';
import { urgentCategories, type Language, type OutageArea, type PropertyAddress } from './types.js';

export interface AlertSettings {
  /** R-SMS-7: who sends, and where to read more. */
  readonly department: string;
  readonly infoUrl: string;
  readonly contact: string;
  readonly capSender: string;
  readonly country: 'SE' | 'FI' | 'NO';
  readonly zone: string;
  readonly defaultLanguage: Language;
  readonly maxSegments: number;
  /** Messages per second the sender may use (SNS account limits). */
  readonly sendRatePerSecond: number;
  readonly pricePerSegment: { amount: number; currency: 'SEK' | 'EUR' | 'NOK' };
  /** R-COM-1: crowd reports per client and hour. */
  readonly reportsPerClientPerHour: number;
}

export interface AlertDeps {
  readonly repo: AlertRepository;
  readonly sms: SmsSender;
  readonly voice: VoiceSender;
  readonly queue: SendQueue;
  /** Jobs (GET /v1/jobs/{jobId}) and the background queue that runs the large ones. */
  readonly jobs: JobRepository;
  readonly jobQueue: AlertJobQueue;
  /** Areas with at most this many addresses run inline (default inlineAddressBudget). */
  readonly inlineAddressBudget?: number;
  readonly now: () => Date;
  readonly newId: (prefix: string) => string;
  readonly settings: AlertSettings;
  /** Tells mobile numbers from fixed lines (R-SMS-8). */
  readonly canReceiveSms: (e164: string) => boolean;
  /** Waits between sends to keep the pace; real time in both runtimes. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const languages: readonly Language[] = ['sv', 'fi', 'nb', 'en'];

/** The voice service has no Finnish text-to-speech voice; Finnish voice calls are read in English. */
const voiceLanguage = (language: Language): Language => (language === 'fi' ? 'en' : language);

/** A `sending` claim older than this was cut off by a crash: it is not sent again (never twice). */
const interruptedAfterMs = 5 * 60_000;

/**
 * An outage whose area holds at most this many register addresses is resolved and released
 * inside its request (201); a larger one answers 202 and runs in the background function.
 * Both run the same job code (runOutageJob).
 */
export const inlineAddressBudget = 500;

/** A queued or running job untouched this long is handed to the queue again when its request is retried. */
const jobStalledAfterMs = 15 * 60_000;

/** What an outage job needs: the validated request, the id given at once, who and when. */
export interface OutageJobInput {
  request: CreateOutageRequest;
  outageId: string;
  createdBy: string;
  createdAt: string;
}

export interface OutageCreated {
  outageId: string;
  recipients: number;
  optedOut: number;
  segments: number;
  encoding: string;
  estimatedCost: { amount: number; currency: string };
  sendAt: string;
  held: boolean;
  heldReason?: string;
}

export function subscriptionId(phone: string, key: string, source: 'register' | 'self'): string {
  return `sub_${createHash('sha256').update(`${phone}|${key}|${source}`).digest('hex').slice(0, 20)}`;
}

function describeArea(area: OutageArea): string {
  const parts: string[] = [];
  for (const street of area.streets ?? []) {
    const range = street.from !== undefined || street.to !== undefined ? ` ${street.from ?? ''}–${street.to ?? ''}` : '';
    parts.push(`${street.street}${range}${street.side ? ` (${street.side})` : ''}${street.city ? `, ${street.city}` : ''}`);
  }
  for (const address of area.addresses ?? []) parts.push(`${address.street} ${address.number}${address.letter ?? ''}, ${address.city}`);
  for (const code of area.postalCodes ?? []) parts.push(code);
  if (area.polygon) parts.push('marked area');
  return parts.slice(0, 10).join('; ') + (parts.length > 10 ? ` and ${parts.length - 10} more` : '');
}

export class OutageAlerts {
  constructor(private readonly deps: AlertDeps) {}

  private nowIso(): string {
    return this.deps.now().toISOString();
  }

  private phone(input: string, path = 'phone'): string {
    return toE164(input, this.deps.settings.country, path);
  }

  /** A `customer` token acts only for its own verified phone number. */
  private assertActsFor(actor: Actor, phone: string): void {
    if (actor.role === 'customer' && actor.verifiedPhone !== phone) {
      throw new ForbiddenError('A customer may act only for its own verified phone number.', [
        { path: 'phone', message: 'not your verified phone number' },
      ]);
    }
  }

  // ---- the address register (R-SMS-2) ------------------------------------------------

  /** Replaces the register's entries with this file's; self-added entries stay. */
  async importRegister(file: Uint8Array): Promise<{ imported: number; rejected: { line: number; reason: string }[]; generation: string }> {
    const { rows, rejected } = parseAddressRegisterCsv(file, this.deps.settings.country);
    const generation = `gen_${this.nowIso()}_${this.deps.newId('imp')}`;
    const at = this.nowIso();
    const addresses = new Map<string, AddressRecord>();
    for (const row of rows) {
      if (!addresses.has(row.key)) {
        addresses.set(row.key, { addressKey: row.key, address: row.address, ...(row.location ? { location: row.location } : {}) });
      }
    }
    await this.deps.repo.ensureAddresses([...addresses.values()]);
    await this.deps.repo.putSubscriptions(
      rows.map((row) => ({
        subscriptionId: subscriptionId(row.phone, row.key, 'register'),
        phone: row.phone,
        address: row.address,
        addressKey: row.key,
        source: 'register',
        generation,
        createdAt: at,
      })),
    );
    // Switching the generation last: until here the previous register still counts in full.
    await this.deps.repo.setRegisterGeneration(generation);
    return { imported: rows.length, rejected, generation };
  }

  private async current(subscriptions: Subscription[]): Promise<Subscription[]> {
    const generation = await this.deps.repo.registerGeneration();
    return subscriptions.filter((s) => s.source === 'self' || s.generation === generation);
  }

  // ---- self-service (R-SMS-3, R-SMS-4) -------------------------------------------------

  async subscribe(actor: Actor, input: { phone: string; address: PropertyAddress }): Promise<Subscription> {
    const phone = this.phone(input.phone);
    this.assertActsFor(actor, phone);
    const key = addressKey(input.address);
    await this.deps.repo.ensureAddresses([{ addressKey: key, address: input.address }]);
    const subscription: Subscription = {
      subscriptionId: subscriptionId(phone, key, 'self'),
      phone,
      address: input.address,
      addressKey: key,
      source: 'self',
      createdAt: this.nowIso(),
    };
    const existing = await this.deps.repo.getSubscription(subscription.subscriptionId);
    if (existing) return existing;
    await this.deps.repo.putSubscriptions([subscription]);
    return subscription;
  }

  async subscriptionsOf(actor: Actor, phoneInput: string): Promise<{ phone: string; optedOut: boolean; items: Subscription[] }> {
    const phone = this.phone(phoneInput);
    this.assertActsFor(actor, phone);
    const [items, optedOut] = await Promise.all([
      this.deps.repo.subscriptionsOfPhone(phone).then((all) => this.current(all)),
      this.deps.repo.optedOut([phone]),
    ]);
    return { phone, optedOut: optedOut.has(phone), items };
  }

  async unsubscribe(actor: Actor, id: string): Promise<void> {
    const subscription = await this.deps.repo.getSubscription(id);
    if (!subscription || (actor.role === 'customer' && actor.verifiedPhone !== subscription.phone)) {
      throw new NotFoundError('No such alert subscription.');
    }
    if (subscription.source === 'register') {
      throw new ConflictError('This address comes from the address register; opt out to stop all messages (R-SMS-3).');
    }
    await this.deps.repo.deleteSubscription(subscription);
  }

  async optOut(actor: Actor, phoneInput: string): Promise<{ phone: string; optedOutAt: string }> {
    const phone = this.phone(phoneInput);
    this.assertActsFor(actor, phone);
    const at = this.nowIso();
    await this.deps.repo.putOptOut(phone, at);
    return { phone, optedOutAt: at };
  }

  async optIn(actor: Actor, phoneInput: string): Promise<void> {
    const phone = this.phone(phoneInput);
    this.assertActsFor(actor, phone);
    if (!(await this.deps.repo.deleteOptOut(phone))) throw new NotFoundError('This number has not opted out.');
  }

  // ---- recipients ----------------------------------------------------------------------

  /** Address records in the area, read by index: cost follows the area, not the register. */
  private async addressesIn(area: OutageArea, limit?: number): Promise<AddressRecord[]> {
    const keys = areaIndexKeys(area);
    const found = new Map<string, AddressRecord>();
    const candidates: AddressRecord[][] = await Promise.all([
      this.deps.repo.getAddresses(keys.addressKeys),
      ...keys.streetKeys.map((s) => this.deps.repo.addressesOnStreet(s.street, s.postalCode, limit)),
      ...keys.postalCodes.map((code) => this.deps.repo.addressesInPostalCode(code, limit)),
      ...keys.geoCells.map((cell) => this.deps.repo.addressesInGeoCell(cell, limit)),
    ]);
    for (const record of candidates.flat()) {
      if (!found.has(record.addressKey) && addressInArea(record, area)) found.set(record.addressKey, record);
    }
    return [...found.values()];
  }

  /** Everyone registered or self-subscribed in the area, each phone once (R-SMS-2). */
  async resolveRecipients(area: OutageArea): Promise<{ phones: string[]; optedOut: Set<string>; addresses: number }> {
    const addresses = await this.addressesIn(area);
    const subscriptions = await this.current(await this.deps.repo.subscriptionsAt(addresses.map((a) => a.addressKey)));
    const phones = [...new Set(subscriptions.map((s) => s.phone))].sort();
    const optedOut = await this.deps.repo.optedOut(phones);
    return { phones, optedOut, addresses: addresses.length };
  }

  private async languagesOf(phones: readonly string[]): Promise<Map<string, Language>> {
    const result = new Map<string, Language>();
    const queue = [...phones];
    const worker = async () => {
      for (let phone = queue.shift(); phone !== undefined; phone = queue.shift()) {
        result.set(phone, (await this.deps.repo.languageOfPhone(phone)) ?? this.deps.settings.defaultLanguage);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    return result;
  }

  private composeAll(outage: Pick<Outage, 'category' | 'title'>, text: string, kind: 'initial' | 'update' | 'resolved', needed: Iterable<Language>) {
    const sender = { department: this.deps.settings.department, infoUrl: this.deps.settings.infoUrl };
    const bodies: Partial<Record<Language, string>> = {};
    const voiceBodies: Partial<Record<Language, string>> = {};
    const measures: ReturnType<typeof measureSms>[] = [];
    for (const language of new Set([this.deps.settings.defaultLanguage, ...needed])) {
      const body = composeAlert({ category: outage.category, kind, title: outage.title, message: text, language, sender });
      measures.push(checkSegmentLimit(body, this.deps.settings.maxSegments));
      bodies[language] = body;
    }
    for (const language of languages) {
      voiceBodies[language] = composeVoice({ category: outage.category, kind, title: outage.title, message: text, language, sender }).text;
    }
    const segments = Math.max(...measures.map((m) => m.segments));
    const encoding = measures.some((m) => m.encoding === 'UCS-2') ? 'UCS-2' : 'GSM-7';
    return { bodies, voiceBodies, segments, encoding };
  }

  // ---- outages --------------------------------------------------------------------------

  /**
   * Records the outage and its job (a deterministic job and outage id from the caller's
   * `Idempotency-Key`: a retried request finds the first job, never a second outage), then
   * runs the job inline when the area is small (inlineAddressBudget) or hands it to the
   * background queue. `status` says which: `completed` carries the result.
   */
  async createOutage(actor: Actor, input: CreateOutageRequest, options: { idempotencyKey?: string } = {}) {
    const errors: FieldError[] = validateArea(input.area);
    if (input.startsAt && input.endsAt && input.endsAt < input.startsAt) {
      errors.push({ path: 'endsAt', message: 'before startsAt' });
    }
    if (errors.length > 0) throw new ValidationError(errors);
    // Compose in every language first: a message over the segment limit is refused before anything is written.
    this.composeAll(input, input.message, 'initial', languages);

    const jobId = jobIdFor('outage', actor.subject, options.idempotencyKey, this.deps.newId);
    const outageId = options.idempotencyKey ? `out_${jobId.slice('job_'.length)}` : this.deps.newId('out');
    const at = this.nowIso();
    const job: Job<OutageJobInput> = {
      jobId, kind: 'outage', status: 'queued', progress: {}, errors: [], result: { outageId },
      input: { request: input, outageId, createdBy: actor.subject, createdAt: at }, createdBy: actor.subject, createdAt: at, updatedAt: at,
    };
    if (!(await this.deps.jobs.createJob(job))) {
      // A retry of a request that was answered (or timed out): the first job, never a second outage.
      const existing = (await this.deps.jobs.getJob<OutageJobInput>(jobId))!;
      if (existing.status !== 'completed' && existing.status !== 'failed' && Date.parse(existing.updatedAt) < this.deps.now().getTime() - jobStalledAfterMs) {
        await this.deps.jobQueue.enqueueJob({ jobId });
      }
      return this.outageJobAnswer(existing);
    }
    await this.deps.repo.insertOutage(this.outageRecord(job.input));
    // A bounded probe: reads at most budget + 1 candidates per index key, whatever the area's size.
    const budget = this.deps.inlineAddressBudget ?? inlineAddressBudget;
    const addresses = await this.addressesIn(input.area, budget + 1);
    if (addresses.length <= budget) return this.outageJobAnswer(await this.runOutageJob(jobId));
    await this.deps.jobQueue.enqueueJob({ jobId });
    return this.outageJobAnswer(job);
  }

  private outageJobAnswer(job: Job<OutageJobInput>) {
    const result = job.result as Partial<OutageCreated>;
    return { jobId: job.jobId, status: job.status, ...result, outageId: job.input.outageId };
  }

  private outageRecord(input: OutageJobInput): Outage {
    const request = input.request;
    return {
      outageId: input.outageId,
      category: request.category,
      title: request.title,
      message: request.message,
      area: request.area,
      areaDescription: describeArea(request.area),
      ...(request.startsAt ? { startsAt: new Date(request.startsAt).toISOString() } : {}),
      ...(request.endsAt ? { endsAt: new Date(request.endsAt).toISOString() } : {}),
      status: 'active',
      createdAt: input.createdAt,
      updatedAt: input.createdAt,
      createdBy: input.createdBy,
      messageCount: 1,
      latestMessage: request.message,
      version: 1,
    };
  }

  /**
   * The outage job (inline or from the queue): resolves the recipients, writes them, and
   * releases the first message. Idempotent: every write is conditional on absence and the
   * release sends each recipient once, so a re-delivered job writes and sends nothing twice.
   */
  async runOutageJob(jobId: string): Promise<Job<OutageJobInput>> {
    const job = await this.deps.jobs.getJob<OutageJobInput>(jobId);
    if (!job) throw new NotFoundError('No such job.');
    if (job.status === 'completed' || job.status === 'failed') return job;
    await this.deps.jobs.updateJob(jobId, { status: 'running' }, this.nowIso());
    const { request: input, outageId } = job.input;
    const now = new Date(job.input.createdAt);

    const { phones, optedOut } = await this.resolveRecipients(input.area);
    await this.deps.jobs.updateJob(jobId, { progress: { resolved: phones.length } }, this.nowIso());
    const languageByPhone = await this.languagesOf(phones);
    const composed = this.composeAll(input, input.message, 'initial', languageByPhone.values());
    const timing = sendTimeFor({
      category: input.category,
      createdAt: now,
      ...(input.sendAt ? { sendAt: new Date(input.sendAt) } : {}),
      zone: this.deps.settings.zone,
      country: this.deps.settings.country,
    });
    const outage = this.outageRecord(job.input);
    if (!(await this.deps.repo.getOutage(outageId))) await this.deps.repo.insertOutage(outage);
    const message: OutageMessage = {
      outageId,
      messageKey: '0',
      kind: 'initial',
      createdBy: job.input.createdBy,
      bodies: composed.bodies,
      voiceBodies: composed.voiceBodies,
      createdAt: job.input.createdAt,
      sendAt: timing.sendAt.toISOString(),
      held: timing.held,
    };
    await this.deps.repo.putMessage(message);
    await this.deps.repo.putRecipients(this.recipients(outageId, '0', phones, languageByPhone, optedOut));
    await this.deps.jobs.updateJob(jobId, { progress: { resolved: phones.length, written: phones.length } }, this.nowIso());
    await this.release(message);
    await this.acknowledgeReports(outage);

    const sendable = phones.length - optedOut.size;
    const result: OutageCreated = {
      outageId,
      recipients: sendable,
      optedOut: optedOut.size,
      segments: composed.segments,
      encoding: composed.encoding,
      estimatedCost: estimateCost(composed.segments, sendable, this.deps.settings.pricePerSegment),
      sendAt: message.sendAt,
      held: timing.held,
      ...(timing.reason ? { heldReason: timing.reason } : {}),
    };
    const done = { status: 'completed' as const, progress: { resolved: phones.length, written: phones.length }, result: { ...result } };
    await this.deps.jobs.updateJob(jobId, done, this.nowIso());
    return { ...job, ...done, updatedAt: this.nowIso() };
  }

  /** GET /v1/jobs/{jobId}: the job of an outage or a register import. */
  async getJob(jobId: string): Promise<Job | undefined> {
    return this.deps.jobs.getJob(jobId);
  }

  private recipients(outageId: string, messageKey: string, phones: readonly string[], languageByPhone: Map<string, Language>, optedOut: Set<string>): Recipient[] {
    const at = this.nowIso();
    return phones.map((phone) => ({
      outageId,
      messageKey,
      phone,
      channel: this.deps.canReceiveSms(phone) ? 'sms' : 'voice',
      language: languageByPhone.get(phone) ?? this.deps.settings.defaultLanguage,
      status: optedOut.has(phone) ? 'opted_out' : 'queued',
      updatedAt: at,
    }));
  }

  /** Due now: hand to the sender; held (R-SMS-6): wait in the schedule until its time. */
  private async release(message: OutageMessage): Promise<void> {
    if (message.sendAt <= this.nowIso()) await this.deps.queue.enqueue({ outageId: message.outageId, messageKey: message.messageKey });
    else await this.deps.repo.scheduleSend(message.outageId, message.messageKey, message.sendAt);
  }

  async getOutage(outageId: string) {
    const outage = await this.deps.repo.getOutage(outageId);
    if (!outage) throw new NotFoundError('No such outage.');
    const messages = await this.deps.repo.listMessages(outageId);
    const counts = { queued: 0, sent: 0, failed: 0, optedOut: 0 };
    const perMessage = [];
    for (const message of messages) {
      const own = { queued: 0, sent: 0, failed: 0, optedOut: 0 };
      for (const recipient of await this.deps.repo.listRecipients(outageId, message.messageKey)) {
        // A delivered message was sent first: it counts as sent.
        const bucket = recipient.status === 'opted_out' ? 'optedOut' : recipient.status === 'sending' ? 'queued' : recipient.status === 'delivered' ? 'sent' : recipient.status;
        own[bucket]++;
        counts[bucket]++;
      }
      perMessage.push({ messageKey: message.messageKey, kind: message.kind, createdBy: message.createdBy, sendAt: message.sendAt, held: message.held, ...own });
    }
    return { ...outage, ...counts, messages: perMessage };
  }

  /** R-SMS: updates and the "resolved" message go to the recipients of the first message. */
  async postUpdate(actor: Actor, outageId: string, input: { message: string; resolved?: boolean }) {
    const outage = await this.deps.repo.getOutage(outageId);
    if (!outage) throw new NotFoundError('No such outage.');
    if (outage.status === 'resolved') throw new ConflictError('This outage is already resolved.');
    const kind = input.resolved ? 'resolved' : 'update';
    const first = await this.deps.repo.listRecipients(outageId, '0');
    const languageByPhone = new Map(first.map((r) => [r.phone, r.language] as const));
    const composed = this.composeAll(outage, input.message, kind, languageByPhone.values());
    const messageKey = String(outage.messageCount);
    const now = this.deps.now();
    const timing = sendTimeFor({ category: outage.category, createdAt: now, zone: this.deps.settings.zone, country: this.deps.settings.country });
    const message: OutageMessage = {
      outageId,
      messageKey,
      kind,
      createdBy: actor.subject,
      bodies: composed.bodies,
      voiceBodies: composed.voiceBodies,
      createdAt: now.toISOString(),
      // A "resolved" message or an update to an urgent alert is never held.
      sendAt: (input.resolved || urgentCategories.includes(outage.category) ? now : timing.sendAt).toISOString(),
      held: !input.resolved && !urgentCategories.includes(outage.category) && timing.held,
    };
    const next: Outage = {
      ...outage,
      messageCount: outage.messageCount + 1,
      latestMessage: input.message,
      updatedAt: now.toISOString(),
      version: outage.version + 1,
      ...(input.resolved ? { status: 'resolved' as const, resolvedAt: now.toISOString() } : {}),
    };
    await this.deps.repo.replaceOutage(next, outage.version);
    await this.deps.repo.putMessage(message);
    const phones = first.map((r) => r.phone);
    const optedOut = await this.deps.repo.optedOut(phones);
    await this.deps.repo.putRecipients(this.recipients(outageId, messageKey, phones, languageByPhone, optedOut));
    await this.release(message);
    return { outageId, messageKey, kind, recipients: phones.length - optedOut.size, segments: composed.segments, encoding: composed.encoding, sendAt: message.sendAt };
  }

  // ---- sending --------------------------------------------------------------------------

  /**
   * Sends one message to its queued recipients at the configured pace. Each recipient is
   * claimed (queued → sending) before the call and settled after it, so a re-run, or a
   * second delivery of the same job, never sends twice. A provider that certainly did not
   * take the message (RetryableSendError) releases the claim and fails the job, so the
   * queue retries it (and dead-letters it at last); an uncertain failure is not retried.
   */
  async send(job: { outageId: string; messageKey: string }): Promise<{ sent: number; failed: number; retry: number }> {
    const message = await this.deps.repo.getMessage(job.outageId, job.messageKey);
    if (!message) throw new NotFoundError('No such outage message.');
    const sleep = this.deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const interval = 1000 / this.deps.settings.sendRatePerSecond;
    const recipients = await this.deps.repo.listRecipients(job.outageId, job.messageKey);
    const counts = { sent: 0, failed: 0, retry: 0 };
    const inFlight = new Set<Promise<void>>();
    let next = performance.now();
    for (const recipient of recipients) {
      if (recipient.status === 'sending' && Date.parse(recipient.updatedAt) < Date.now() - interruptedAfterMs) {
        await this.deps.repo.transitionRecipient(recipient, 'sending', {
          status: 'failed', reason: 'interrupted while sending; not sent again to avoid a duplicate', updatedAt: new Date().toISOString(),
        });
        continue;
      }
      if (recipient.status !== 'queued') continue;
      // Pace: one send per interval. After a stall the next slot is one interval from now:
      // no catch-up burst that a provider's per-second limit would see.
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      next = Math.max(next, performance.now()) + interval;
      // The claim runs with the send, off the pacing loop, so a slow write does not slow the pace.
      const task = this.claimAndDeliver(recipient, message).then((outcome) => {
        if (outcome) counts[outcome]++;
      });
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      if (inFlight.size >= Math.max(4, this.deps.settings.sendRatePerSecond)) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (counts.retry > 0) throw new Error(`${counts.retry} recipients hit a transient failure; the job will be retried`);
    return counts;
  }

  /** Claims the recipient (queued → sending) and sends; undefined when someone else claimed it first. */
  private async claimAndDeliver(recipient: Recipient, message: OutageMessage): Promise<'sent' | 'failed' | 'retry' | undefined> {
    if (!(await this.deps.repo.transitionRecipient(recipient, 'queued', { status: 'sending', updatedAt: new Date().toISOString() }))) return undefined;
    return this.deliver(recipient, message);
  }

  private async deliver(recipient: Recipient, message: OutageMessage): Promise<'sent' | 'failed' | 'retry'> {
    const claimed: Recipient = { ...recipient, status: 'sending' };
    try {
      const language = recipient.language;
      const result =
        recipient.channel === 'sms'
          ? await this.deps.sms.send({
              to: recipient.phone,
              body: message.bodies[language] ?? message.bodies[this.deps.settings.defaultLanguage]!,
              outageId: message.outageId,
              messageKey: message.messageKey,
            })
          : await this.deps.voice.call({
              to: recipient.phone,
              text: message.voiceBodies[voiceLanguage(language)]!,
              languageCode: languageTags[voiceLanguage(language)],
              outageId: message.outageId,
              messageKey: message.messageKey,
            });
      await this.deps.repo.transitionRecipient(claimed, 'sending', { status: 'sent', providerMessageId: result.providerMessageId, updatedAt: new Date().toISOString() });
      return 'sent';
    } catch (error) {
      if (error instanceof RetryableSendError) {
        await this.deps.repo.transitionRecipient(claimed, 'sending', { status: 'queued', updatedAt: new Date().toISOString() });
        return 'retry';
      }
      const reason = error instanceof SendFailure ? error.message : 'uncertain whether it was delivered; not sent again to avoid a duplicate';
      await this.deps.repo.transitionRecipient(claimed, 'sending', { status: 'failed', reason, updatedAt: new Date().toISOString() });
      return 'failed';
    }
  }

  /** The scheduled job: held messages whose time has come go to the sender (R-SMS-6). */
  async dispatchDue(): Promise<number> {
    const due = await this.deps.repo.dueSends(this.nowIso());
    for (const entry of due) {
      await this.deps.queue.enqueue({ outageId: entry.outageId, messageKey: entry.messageKey });
      await this.deps.repo.clearScheduledSend(entry.outageId, entry.messageKey, entry.sendAt);
    }
    return due.length;
  }

  // ---- the public feed (R-SMS-6, R-COM-2) -------------------------------------------------

  async ongoingWorks() {
    const outages = await this.deps.repo.listFeedOutages();
    return {
      items: outages
        .filter((o) => o.status === 'active')
        .map((o) => ({
          outageId: o.outageId,
          category: o.category,
          categoryLabel: categoryLabel(o.category, this.deps.settings.defaultLanguage),
          title: o.title,
          message: o.latestMessage,
          area: o.areaDescription,
          startsAt: o.startsAt ?? o.createdAt,
          endsAt: o.endsAt ?? null,
          updatedAt: o.updatedAt,
          sender: this.deps.settings.department,
          web: this.deps.settings.infoUrl,
        })),
      nextCursor: null,
    };
  }

  /**
   * The public CAP index (R-COM-2): an Atom feed with one entry per outage in the feed (active,
   * or resolved: a Cancel), each linking to the outage's latest CAP document (cap.ts).
   */
  async ongoingWorksCap(): Promise<string> {
    const outages = await this.deps.repo.listFeedOutages();
    const alerts = await Promise.all(outages.map((o) => this.capAlertOf(o)));
    const sender = this.deps.settings.capSender;
    const latest = alerts.reduce<Date | undefined>((at, alert) => (!at || alert.sent > at ? alert.sent : at), undefined);
    return renderCapAtomFeed({
      id: `urn:cap:${sender}:ongoing-works`,
      title: this.deps.settings.department,
      author: this.deps.settings.department,
      updated: latest ?? this.deps.now(),
      web: this.deps.settings.infoUrl,
      entries: alerts.map((alert, index) => ({
        identifier: alert.identifier,
        sender,
        title: `${alert.msgType === 'Cancel' ? '[Cancel] ' : ''}${outages[index]!.title}`,
        summary: outages[index]!.latestMessage,
        updated: alert.sent,
      })),
    });
  }

  /**
   * One CAP 1.2 document (GET /v1/public/alerts/{identifier}.cap): the latest message of an
   * outage in the public feed. An earlier identifier of the outage answers with where the
   * current one is (its content was replaced by the update that references it).
   */
  async capAlert(identifier: string): Promise<{ xml: string } | { supersededBy: string }> {
    const match = /^(.+?)(?:-(\d+))?$/.exec(identifier);
    const outageId = match?.[1] ?? '';
    const outage = outageId ? await this.deps.repo.getOutage(outageId) : undefined;
    const inFeed = outage && (await this.deps.repo.listFeedOutages()).some((o) => o.outageId === outage.outageId);
    if (!outage || !inFeed) throw new NotFoundError('No such public alert.');
    const alert = await this.capAlertOf(outage);
    if (alert.identifier === identifier) return { xml: renderCapAlert(alert) };
    if (alert.references?.some((r) => r.identifier === identifier)) return { supersededBy: alert.identifier };
    throw new NotFoundError('No such public alert.');
  }

  /**
   * An outage's latest CAP message: Alert for the first, Update (Cancel when resolved) after,
   * referencing every earlier message of the outage by its identifier and the time it was sent.
   */
  private async capAlertOf(o: Outage): Promise<CapAlertInput> {
    const now = this.deps.now();
    const sender = this.deps.settings.capSender;
    // Messages 0..messageCount-1 (the crowd-report acknowledgement is no CAP message).
    const sentAt = new Map((await this.deps.repo.listMessages(o.outageId)).filter((m) => /^\d+$/.test(m.messageKey)).map((m) => [Number(m.messageKey), m.createdAt]));
    const identifierOf = (n: number) => (n === 0 ? o.outageId : `${o.outageId}-${n}`);
    const sentOf = (n: number) => new Date(n === 0 ? o.createdAt : (sentAt.get(n) ?? o.updatedAt));
    const last = o.messageCount - 1;
    const msgType = o.status === 'resolved' ? 'Cancel' : last > 0 ? 'Update' : 'Alert';
    const references = Array.from({ length: Math.max(0, last) }, (_, n) => ({ sender, identifier: identifierOf(n), sent: sentOf(n) }));
    return {
      identifier: identifierOf(Math.max(0, last)),
      sender,
      sent: sentOf(Math.max(0, last)),
      msgType,
      ...(references.length > 0 ? { references } : {}),
      category: o.category,
      // One info per language: the event in that language; headline and text as ops wrote them.
      infos: [this.deps.settings.defaultLanguage, ...languages.filter((l) => l !== this.deps.settings.defaultLanguage)].map((language) => ({
        language,
        event: categoryLabel(o.category, language),
        headline: o.title,
        description: o.latestMessage,
        urgency: defaultCapUrgency(o.category, o.startsAt ? new Date(o.startsAt) : undefined, now),
        severity: defaultCapSeverity(o.category),
        certainty: 'Observed' as const,
        ...(o.startsAt ? { onset: new Date(o.startsAt) } : {}),
        ...(o.endsAt ? { expires: new Date(o.endsAt) } : {}),
        web: this.deps.settings.infoUrl,
        contact: this.deps.settings.contact,
      })),
      area: { areaDesc: o.areaDescription, ...(o.area.polygon ? { polygon: o.area.polygon } : {}) },
    };
  }

  // ---- crowd reports (R-COM-1) ------------------------------------------------------------

  async report(client: string, input: { address: PropertyAddress; kind: CrowdReportRecord['kind']; phone?: string }) {
    const now = this.deps.now();
    const phone = input.phone === undefined ? undefined : this.phone(input.phone);
    const window = now.toISOString().slice(0, 13);
    if (!(await this.deps.repo.takeRateToken(client, window, this.deps.settings.reportsPerClientPerHour))) {
      return { limited: true as const };
    }
    const key = addressKey(input.address);
    const [known] = await this.deps.repo.getAddresses([key]);
    const report: CrowdReportRecord = {
      reportId: this.deps.newId('rep'),
      address: input.address,
      addressKey: key,
      ...(known?.location ? { location: known.location } : {}),
      kind: input.kind,
      ...(phone ? { phone } : {}),
      at: now.toISOString(),
    };
    await this.deps.repo.putReport(report);
    return { limited: false as const, reportId: report.reportId };
  }

  async clusters(): Promise<ReportCluster[]> {
    const now = this.deps.now();
    const since = new Date(now.getTime() - 24 * 3600_000).toISOString();
    const reports = await this.deps.repo.reportsSince(since, now.toISOString());
    return clusterReports(reports, { radiusMeters: 500, windowMinutes: 180, minReports: 2 });
  }

  /** R-COM-1: reporters inside a new outage's area get one SMS that the problem is known. */
  private async acknowledgeReports(outage: Outage): Promise<void> {
    const now = this.deps.now();
    const reports = await this.deps.repo.reportsSince(new Date(now.getTime() - 24 * 3600_000).toISOString(), now.toISOString());
    const covered = reports.filter((r) => r.phone && !r.acknowledgedBy && addressInArea(r, outage.area));
    if (covered.length === 0) return;
    const bodies: Partial<Record<Language, string>> = {};
    const voiceBodies: Partial<Record<Language, string>> = {};
    const sender = { department: this.deps.settings.department, infoUrl: this.deps.settings.infoUrl };
    for (const language of languages) {
      const input = { category: outage.category, kind: 'update' as const, title: outage.title, message: acknowledgement[language], language, sender };
      bodies[language] = composeAlert(input);
      voiceBodies[language] = composeVoice(input).text;
    }
    const message: OutageMessage = {
      outageId: outage.outageId, messageKey: 'ack', kind: 'ack', createdBy: 'system', bodies, voiceBodies,
      createdAt: now.toISOString(), sendAt: now.toISOString(), held: false,
    };
    await this.deps.repo.putMessage(message);
    const phones: string[] = [];
    for (const report of covered) {
      if (await this.deps.repo.markReportAcknowledged(report, outage.outageId)) phones.push(report.phone!);
    }
    const unique = [...new Set(phones)];
    const optedOut = await this.deps.repo.optedOut(unique);
    const languageByPhone = await this.languagesOf(unique);
    await this.deps.repo.putRecipients(this.recipients(outage.outageId, 'ack', unique, languageByPhone, optedOut));
    await this.deps.queue.enqueue({ outageId: outage.outageId, messageKey: 'ack' });
  }
}

const acknowledgement: Record<Language, string> = {
  sv: 'Tack för din felanmälan. Vi vet om problemet och arbetar med att åtgärda det.',
  fi: 'Kiitos ilmoituksestasi. Tiedämme ongelmasta ja korjaamme sitä.',
  nb: 'Takk for meldingen. Vi kjenner til problemet og jobber med å rette det.',
  en: 'Thank you for your report. We know about the problem and are fixing it.',
};

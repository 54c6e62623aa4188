/**
 * The customer registry's use-cases (R-SE-1..7): one customer system for all utilities.
 * Every change made through it also writes the customer log (R-SE-2).
 */
import type { CountryCode } from 'libphonenumber-js';
import { ConflictError, ForbiddenError, NotFoundError, RuleViolationError, ValidationError, type FieldError } from '../errors.js';
import { parseNationalId, type Country } from '../ids/index.js';
import { toE164 } from '../phone.js';
import type { Actor, CreditCheck, Customer, CustomerLogEntry, Deposit, Facility, LogEntryType, Page } from './model.js';
import type { CustomerRepository, IdGenerator } from './ports.js';
import {
  contactFields,
  countries,
  type CreateCustomerRequest,
  type CreateFacilityRequest,
  type PatchCustomerRequest,
  type Service,
} from './schemas.js';

export interface RegistryDeps {
  readonly repo: CustomerRepository;
  readonly now: () => Date;
  readonly ids: IdGenerator;
}

/** A national-id claim older than this whose customer was never written is taken over. */
const orphanClaimAgeMs = 60_000;

/** Fields whose values are personal data: the log records that they changed, not the values. */
const personalFields = new Set(['name', 'billingAddress', 'phone', 'email', 'eInvoice']);

/** R-SE-6: deposits are not taken for water & sewage or waste. */
const servicesWithoutDeposit: readonly Service[] = ['water', 'sewage', 'waste'];
/** R-SE-6: at least 1,000 SEK, in öre. */
const minimumDepositOre = 100_000;
/** R-SE-6: held for six months. */
const depositHoldMonths = 6;

export function nationalIdKey(country: Country, canonical: string): string {
  return `${country}#${canonical}`;
}

/** Name-search form: case- and space-insensitive, diacritics kept (å, ä, ö are letters). */
export function normaliseName(name: string): string {
  return name.normalize('NFC').toLocaleLowerCase('sv').replace(/\s+/g, ' ').trim();
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return isoDate(target);
}

function phoneOrError(input: string, country: Country, errors: FieldError[]): string | undefined {
  try {
    return toE164(input, country as CountryCode);
  } catch (error) {
    if (error instanceof ValidationError) errors.push(...error.errors);
    else throw error;
    return undefined;
  }
}

export class CustomerRegistry {
  constructor(private readonly deps: RegistryDeps) {}

  private nowIso(): string {
    return this.deps.now().toISOString();
  }

  /** A customer-log entry (R-SE-2), written by the repository together with its change. */
  private entry(
    actor: Actor,
    customerId: string,
    type: LogEntryType,
    details: Partial<Pick<CustomerLogEntry, 'field' | 'from' | 'to' | 'text'>> = {},
    at = this.nowIso(),
  ): CustomerLogEntry {
    return {
      entryId: this.deps.ids.newId('log'),
      customerId,
      at,
      author: { subject: actor.subject, role: actor.role },
      type,
      ...details,
    };
  }

  async create(actor: Actor, input: CreateCustomerRequest): Promise<Customer> {
    const now = this.deps.now();
    const errors: FieldError[] = [];
    const id = parseNationalId(input.country, input.nationalId, now);
    if (!id.ok) {
      errors.push({ path: 'nationalId', message: id.reason });
    } else if (input.kind === 'person' && id.holder !== 'person') {
      errors.push({ path: 'nationalId', message: 'an organisation number, but kind is person' });
    } else if (input.kind === 'organisation' && id.holder === 'person' && !(input.country === 'SE' && input.category === 'business')) {
      // Swedish sole traders (enskild firma) trade under their personnummer.
      errors.push({ path: 'nationalId', message: 'a personal number, but kind is organisation' });
    }
    const phone = input.phone === undefined ? undefined : phoneOrError(input.phone, input.country, errors);
    if (errors.length > 0 || !id.ok) throw new ValidationError(errors);

    const customerId = this.deps.ids.newId('cus');
    const key = nationalIdKey(input.country, id.canonical);
    const holder = await this.deps.repo.claimNationalId(key, customerId);
    if (holder !== undefined) {
      const existing = await this.deps.repo.getCustomer(holder);
      if (existing) throw new ConflictError(`A customer with this national id is already registered (${holder}).`);
      const staleBefore = new Date(now.getTime() - orphanClaimAgeMs).toISOString();
      if (!(await this.deps.repo.takeOverNationalId(key, holder, customerId, staleBefore))) {
        throw new ConflictError('A customer with this national id is being registered right now.');
      }
    }

    const at = now.toISOString();
    const customer: Customer = {
      customerId,
      name: input.name,
      kind: input.kind,
      country: input.country,
      nationalId: id.canonical,
      nationalIdType: id.type,
      category: input.category,
      billingAddress: input.billingAddress,
      ...(phone ? { phone } : {}),
      ...(input.email ? { email: input.email.toLowerCase() } : {}),
      foreign: input.foreign ?? false,
      ...(input.industryCode ? { industryCode: input.industryCode } : {}),
      protectedIdentity: input.protectedIdentity ?? false,
      ...(input.language ? { language: input.language } : {}),
      ...(input.billingRegion ? { billingRegion: input.billingRegion } : {}),
      ...(input.deliveryChannel ? { deliveryChannel: input.deliveryChannel } : {}),
      ...(input.eInvoice ? { eInvoice: input.eInvoice } : {}),
      knownBadPayer: false,
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    await this.deps.repo.insertCustomer(customer, [this.entry(actor, customerId, 'created', {}, at)]);
    return customer;
  }

  async get(customerId: string): Promise<Customer> {
    const customer = await this.deps.repo.getCustomer(customerId);
    if (!customer) throw new NotFoundError('No such customer.');
    return customer;
  }

  async update(actor: Actor, customerId: string, patch: PatchCustomerRequest): Promise<Customer> {
    if (actor.role === 'customer') {
      const refused = Object.keys(patch).filter((field) => !(contactFields as readonly string[]).includes(field));
      if (refused.length > 0) {
        throw new ForbiddenError(
          'A customer may change only phone, email and language.',
          refused.map((path) => ({ path, message: 'not a contact field' })),
        );
      }
    }
    // One retry on a concurrent change: the patch is re-applied to the fresh record.
    for (let attempt = 0; ; attempt++) {
      const current = await this.get(customerId);
      const next = this.applyPatch(current, patch);
      const changed = (Object.keys(patch) as (keyof PatchCustomerRequest)[]).filter(
        (field) => JSON.stringify(current[field as keyof Customer] ?? null) !== JSON.stringify(next[field as keyof Customer] ?? null),
      );
      if (changed.length === 0) return current;
      next.version = current.version + 1;
      next.updatedAt = this.nowIso();
      const log = changed.map((field) => {
        const value = (record: Customer) => (record[field as keyof Customer] ?? null) as string | number | boolean | null;
        const values = personalFields.has(field) ? {} : { from: value(current), to: value(next) };
        return this.entry(actor, customerId, 'changed', { field, ...values }, next.updatedAt);
      });
      try {
        await this.deps.repo.replaceCustomer(next, current.version, log);
      } catch (error) {
        if (error instanceof ConflictError && attempt === 0) continue;
        throw error;
      }
      return next;
    }
  }

  private applyPatch(current: Customer, patch: PatchCustomerRequest): Customer {
    const errors: FieldError[] = [];
    const next: Customer = { ...current };
    const assign = <K extends keyof Customer>(field: K, value: Customer[K] | null | undefined) => {
      if (value === undefined) return;
      if (value === null) delete next[field];
      else next[field] = value;
    };
    assign('name', patch.name);
    assign('category', patch.category);
    assign('billingAddress', patch.billingAddress);
    assign('foreign', patch.foreign);
    assign('industryCode', patch.industryCode);
    assign('protectedIdentity', patch.protectedIdentity);
    assign('knownBadPayer', patch.knownBadPayer);
    assign('language', patch.language);
    assign('billingRegion', patch.billingRegion);
    assign('deliveryChannel', patch.deliveryChannel);
    assign('eInvoice', patch.eInvoice);
    assign('email', patch.email === undefined || patch.email === null ? patch.email : patch.email.toLowerCase());
    if (patch.phone !== undefined) {
      assign('phone', patch.phone === null ? null : phoneOrError(patch.phone, current.country, errors));
    }
    if (errors.length > 0) throw new ValidationError(errors);
    return next;
  }

  async search(query: { nationalId?: string; country?: Country; q?: string; limit: number; cursor?: string }): Promise<Page<Customer>> {
    if (query.nationalId !== undefined) {
      const candidates = query.country ? [query.country] : [...countries];
      const found: Customer[] = [];
      for (const country of candidates) {
        const id = parseNationalId(country, query.nationalId, this.deps.now());
        if (!id.ok) continue;
        const customerId = await this.deps.repo.findCustomerIdByNationalId(nationalIdKey(country, id.canonical));
        const customer = customerId ? await this.deps.repo.getCustomer(customerId) : undefined;
        if (customer) found.push(customer);
      }
      return { items: found, nextCursor: null };
    }
    return this.deps.repo.searchByName(normaliseName(query.q ?? ''), query.limit, query.cursor);
  }

  async addNote(actor: Actor, customerId: string, text: string): Promise<CustomerLogEntry> {
    await this.get(customerId);
    const note = this.entry(actor, customerId, 'note', { text });
    await this.deps.repo.appendLog(note);
    return note;
  }

  async listLog(customerId: string, limit: number, cursor?: string): Promise<Page<CustomerLogEntry>> {
    await this.get(customerId);
    return this.deps.repo.listLog(customerId, limit, cursor);
  }

  async addFacility(actor: Actor, customerId: string, input: CreateFacilityRequest): Promise<Facility> {
    await this.get(customerId);
    if (input.services.some((entry) => entry.service === 'fiber')) {
      const checks = await this.deps.repo.listCreditChecks(customerId);
      if (!checks.some((check) => check.outcome === 'approved')) {
        throw new RuleViolationError('Fiber needs an approved credit check on record first.', 'R-SE-5', [
          { path: 'services', message: 'fiber requires an approved credit check' },
        ]);
      }
    }
    const existing = await this.deps.repo.listFacilities(customerId);
    const designation = input.propertyDesignation.toLocaleLowerCase('sv');
    if (existing.some((facility) => !facility.moveOut && facility.propertyDesignation.toLocaleLowerCase('sv') === designation)) {
      throw new ConflictError('This customer already has an active facility at this property designation.');
    }
    const at = this.nowIso();
    const facility: Facility = {
      facilityNumber: await this.deps.repo.nextFacilityNumber(),
      customerId,
      propertyDesignation: input.propertyDesignation,
      deliveryAddress: {
        ...input.deliveryAddress,
        ...(input.deliveryAddress.letter ? { letter: input.deliveryAddress.letter.toUpperCase() } : {}),
      },
      propertyType: input.propertyType,
      services: input.services.map((entry) => ({ ...entry })),
      ...(input.owner ? { owner: input.owner } : {}),
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    await this.deps.repo.insertFacility(facility, [this.entry(actor, customerId, 'facility_added', { text: facility.facilityNumber }, at)]);
    return facility;
  }

  async listFacilities(customerId: string): Promise<Facility[]> {
    await this.get(customerId);
    return this.deps.repo.listFacilities(customerId);
  }

  /** R-SE-7: ends the facility's services on the move-out date; the final invoice goes with the next billing. */
  async moveOut(actor: Actor, customerId: string, input: { facilityId: string; date: string }): Promise<Facility> {
    await this.get(customerId);
    const facility = await this.deps.repo.getFacility(customerId, input.facilityId);
    if (!facility) throw new NotFoundError('This customer has no such facility.');
    if (facility.moveOut) {
      if (facility.moveOut.date === input.date) return facility; // a repeated request changes nothing
      throw new ConflictError(`A move-out on ${facility.moveOut.date} is already recorded for this facility.`);
    }
    const latestStart = facility.services.map((entry) => entry.startDate).sort().at(-1) ?? input.date;
    if (input.date < latestStart) {
      throw new ValidationError([{ path: 'date', message: `before a service started (${latestStart})` }]);
    }
    const next: Facility = {
      ...facility,
      services: facility.services.map((entry) =>
        entry.endDate !== undefined && entry.endDate <= input.date ? entry : { ...entry, endDate: input.date },
      ),
      moveOut: { date: input.date, finalInvoicePending: true },
      updatedAt: this.nowIso(),
      version: facility.version + 1,
    };
    const log = [this.entry(actor, customerId, 'moved_out', { text: `${facility.facilityNumber} on ${input.date}` }, next.updatedAt)];
    await this.deps.repo.replaceFacility(next, facility.version, log);
    return next;
  }

  /** R-SE-6: half a year's cost, at least 1,000 SEK, held six months; known bad payers only. */
  async requireDeposit(
    actor: Actor,
    customerId: string,
    input: { service: Service; expectedAnnualCost: { amount: number; currency: 'SEK' | 'EUR' | 'NOK' } },
  ): Promise<Deposit> {
    const customer = await this.get(customerId);
    if (!customer.knownBadPayer) {
      throw new RuleViolationError('A deposit may be required only from a known bad payer.', 'R-SE-6');
    }
    if (servicesWithoutDeposit.includes(input.service)) {
      throw new RuleViolationError('No deposit is taken for water & sewage or waste.', 'R-SE-6', [
        { path: 'service', message: 'no deposit for this service' },
      ]);
    }
    if (input.expectedAnnualCost.currency !== 'SEK') {
      throw new ValidationError([{ path: 'expectedAnnualCost.currency', message: 'the deposit rule is in SEK' }]);
    }
    const today = isoDate(this.deps.now());
    const held = (await this.deps.repo.listDeposits(customerId)).find(
      (deposit) => deposit.service === input.service && deposit.heldUntil > today,
    );
    if (held) throw new ConflictError(`A deposit for ${input.service} is held until ${held.heldUntil}.`);
    const deposit: Deposit = {
      depositId: `dep_${input.service}_${today}`,
      customerId,
      service: input.service,
      amount: { amount: Math.max(Math.ceil(input.expectedAnnualCost.amount / 2), minimumDepositOre), currency: 'SEK' },
      requestedAt: this.nowIso(),
      heldUntil: addMonths(today, depositHoldMonths),
      requestedBy: actor.subject,
    };
    const log = [
      this.entry(actor, customerId, 'deposit_required', {
        text: `${input.service}: ${deposit.amount.amount / 100} SEK until ${deposit.heldUntil}`,
      }, deposit.requestedAt),
    ];
    if (!(await this.deps.repo.insertDeposit(deposit, log))) {
      throw new ConflictError(`A deposit for ${input.service} was already required today.`);
    }
    return deposit;
  }

  /** R-SE-5: records a credit check; a declined one marks the customer a known bad payer. */
  async recordCreditCheck(
    actor: Actor,
    customerId: string,
    input: Pick<CreditCheck, 'provider' | 'reference' | 'outcome' | 'reason'> & { note?: string },
  ): Promise<CreditCheck> {
    await this.get(customerId);
    const check: CreditCheck = {
      checkId: `chk_${input.provider}_${input.reference}`.toLowerCase().replace(/[^a-z0-9_-]+/g, '-'),
      customerId,
      provider: input.provider,
      reference: input.reference,
      outcome: input.outcome,
      reason: input.reason,
      ...(input.note ? { note: input.note } : {}),
      at: this.nowIso(),
      by: actor.subject,
    };
    const log = [this.entry(actor, customerId, 'credit_check', { text: `${check.provider}: ${check.outcome}` }, check.at)];
    if (!(await this.deps.repo.insertCreditCheck(check, log))) {
      throw new ConflictError('This credit check is already recorded.');
    }
    if (check.outcome === 'declined') await this.update(actor, customerId, { knownBadPayer: true });
    return check;
  }
}

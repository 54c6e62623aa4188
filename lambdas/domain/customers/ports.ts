/**
 * What the customer registry needs from storage (implemented in adapters/dynamo).
 *
 * Writes that change a record take the customer-log entries that describe the change
 * (R-SE-2). The record and its entries are written without transactions: the entries
 * travel inside the record's own single-item write and are then copied to the log
 * idempotently, so a crash in between is repaired by the next read (docs/DATA.md).
 */
import type { CreditCheck, Customer, CustomerLogEntry, Deposit, Facility, Page } from './model.js';

export interface CustomerRepository {
  /**
   * Claims a national id for a customer (conditional write). Returns the id of the
   * customer that already holds it, or undefined when the claim is now ours.
   */
  claimNationalId(key: string, customerId: string): Promise<string | undefined>;
  /** Moves a claim held by a customer that was never written (a crashed create) to a new one. */
  takeOverNationalId(key: string, fromCustomerId: string, toCustomerId: string, claimedBefore: string): Promise<boolean>;
  findCustomerIdByNationalId(key: string): Promise<string | undefined>;
  /** Conditional on the id being new. */
  insertCustomer(customer: Customer, log: CustomerLogEntry[]): Promise<void>;
  getCustomer(customerId: string): Promise<Customer | undefined>;
  /** Conditional on `expectedVersion`; throws ConflictError when someone else changed it first. */
  replaceCustomer(customer: Customer, expectedVersion: number, log: CustomerLogEntry[]): Promise<void>;
  searchByName(normalisedPrefix: string, limit: number, cursor?: string): Promise<Page<Customer>>;

  /** A log entry on its own (a note). Idempotent: writing the same entry twice keeps one. */
  appendLog(entry: CustomerLogEntry): Promise<void>;
  listLog(customerId: string, limit: number, cursor?: string): Promise<Page<CustomerLogEntry>>;

  nextFacilityNumber(): Promise<string>;
  insertFacility(facility: Facility, log: CustomerLogEntry[]): Promise<void>;
  getFacility(customerId: string, facilityNumber: string): Promise<Facility | undefined>;
  listFacilities(customerId: string): Promise<Facility[]>;
  replaceFacility(facility: Facility, expectedVersion: number, log: CustomerLogEntry[]): Promise<void>;

  /** Conditional on the deposit id; false when that deposit is already recorded. */
  insertDeposit(deposit: Deposit, log: CustomerLogEntry[]): Promise<boolean>;
  listDeposits(customerId: string): Promise<Deposit[]>;
  /** Conditional on (provider, reference); false when that check is already recorded. */
  insertCreditCheck(check: CreditCheck, log: CustomerLogEntry[]): Promise<boolean>;
  listCreditChecks(customerId: string): Promise<CreditCheck[]>;
}

export interface IdGenerator {
  /** A new random id with the given prefix, e.g. `cus_0h3k...`. */
  newId(prefix: string): string;
}

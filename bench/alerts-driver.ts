/**
 * The outage-alert benchmark's driver, run as its own process by bench/alerts.ts against a
 * DynamoDB of its own: builds a synthetic address register, imports it with
 * `OutageAlerts.importRegister` (the product's CSV reader and batched writes), then measures
 * `resolveRecipients` for an outage area against the floor (a paged read of the same
 * subscription items, stored together), `createOutage`, and paced sending through a
 * recording SMS sender at two paces, each job run twice. Prints an AlertsResult as JSON.
 *
 *   node --import tsx bench/alerts-driver.ts '<DriverArgs<AlertsSettings> as JSON>'
 */
import { QueryCommand, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import { DynamoAlertRepository } from '../lambdas/adapters/dynamo/alert-repository.js';
import { DynamoJobRepository } from '../lambdas/adapters/dynamo/job-repository.js';
import { batchPut } from '../lambdas/adapters/dynamo/batch.js';
import { randomIds } from '../lambdas/adapters/ids.js';
import { addressKey } from '../lambdas/domain/alerts/address.js';
import type { AlertJobMessage, SmsSender, Subscription, VoiceSender } from '../lambdas/domain/alerts/ports.js';
import { OutageAlerts, subscriptionId, type AlertSettings } from '../lambdas/domain/alerts/service.js';
import type { OutageArea, PropertyAddress, StreetSelector } from '../lambdas/domain/alerts/types.js';
import { canReceiveSms } from '../lambdas/domain/phone.js';
import { benchTable, finish, random, startDriver, type Phase } from './driver-support.js';
import { percentile } from './stats.js';

export interface AlertsSettings {
  readonly addresses: number;
  /** About this many addresses in the outage area. */
  readonly outageAddresses: number;
  /** Share of phone entries that reuse a phone registered at another address. */
  readonly sharedPhoneShare: number;
  readonly optOuts: number;
  /** Pace (messages per second) for the whole outage, and for a smaller one (the last postal code). */
  readonly fastPace: number;
  readonly slowPace: number;
  /** The recording sender answers after this long, like a provider's API call. */
  readonly providerLatencyMs: number;
  /**
   * An experiment: the fast pace once more (on the slower outage's area), with this many
   * milliseconds added before every DynamoDB call, about a round trip to DynamoDB in AWS.
   */
  readonly addedLatencyMs: number;
}

export interface PaceResult {
  /** Which outage: the measured area, or the smaller one. */
  readonly outage: string;
  readonly pace: number;
  /** Milliseconds added before every DynamoDB call while sending (0: none). */
  readonly addedLatencyMs: number;
  readonly recipients: number;
  readonly optedOut: number;
  /** Messages the sender took in the first run. */
  readonly sent: number;
  /** Expected phones (recipients not opted out) that got no message. */
  readonly missing: number;
  /** Phones that got the same message more than once, over both runs. */
  readonly duplicates: number;
  readonly firstToLastMs: number;
  /** (sent − 1) / (last − first): the rate between the first and the last send. */
  readonly achievedPerSecond: number;
  /** The most sends that started within any one second. */
  readonly maxInOneSecond: number;
  /** The longest time between two sends in a row, and when it ended (ms after the first send). */
  readonly longestGapMs: number;
  readonly longestGapEndsAtMs: number;
  /** How far the sends fell behind the pace's schedule (first send + n × interval) at worst, and when. */
  readonly maxLagMs: number;
  readonly maxLagAtMs: number;
  /** The claims (queued → sending) of the first run: most started in any one second, and how long they took. */
  readonly claims: { readonly count: number; readonly maxStartedInOneSecond: number; readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
  readonly createOutage: Phase;
  readonly send: Phase;
  /** The same job delivered again. */
  readonly secondRun: Phase & { readonly sent: number; readonly recorded: number };
}

export interface AlertsResult {
  readonly settings: AlertsSettings;
  readonly register: { addresses: number; phoneEntries: number; distinctPhones: number; geocoded: number; postalCodes: number; streets: number; optOuts: number; csvBytes: number };
  readonly importRegister: Phase & { readonly imported: number; readonly rejected: number };
  readonly area: { postalCodes: number; streetSelectors: number; addresses: number; expectedPhones: number; expectedOptedOut: number };
  readonly resolve: Phase & { readonly phones: number; readonly optedOut: number; readonly addresses: number; readonly matchesExpected: boolean };
  readonly floor: Phase & { readonly items: number; readonly phones: number };
  readonly paces: readonly PaceResult[];
}

const driver = await startDriver<AlertsSettings>();
const { settings } = driver;
const rng = random(20261123);

// ---- the register ------------------------------------------------------------------------

const stems = ['Stor', 'Kyrko', 'Skol', 'Sjö', 'Berg', 'Björk', 'Ek', 'Gran', 'Tall', 'Lind', 'Ask', 'Alm', 'Rönn', 'Hassel', 'Vide',
  'Park', 'Ängs', 'Back', 'Kvarn', 'Smedje', 'Bruks', 'Hamn', 'Strand', 'Torg', 'Järnvägs', 'Post', 'Prästgårds', 'Gärdes', 'Lillängs', 'Sol'];
const endings = ['gatan', 'vägen', 'stigen', 'backen', 'gränd', 'allén'];
const streetNames = stems.flatMap((stem) => endings.map((ending) => stem + ending));
const streetsPerPostalCode = 20;
const numbersPerStreet = 50;
const perPostalCode = streetsPerPostalCode * numbersPerStreet;
const postalCodeCount = Math.ceil(settings.addresses / perPostalCode);
const postalCode = (p: number) => `${671 + Math.floor(p / 100)} ${String(p % 100).padStart(2, '0')}`;

// Each postal code has 20 of the street names: a name recurs in about 1 in 9 postal codes.
const streetsOf: string[][] = Array.from({ length: postalCodeCount }, () => {
  const names = [...streetNames];
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [names[i], names[j]] = [names[j]!, names[i]!];
  }
  return names.slice(0, streetsPerPostalCode);
});

interface RegisterAddress {
  readonly index: number;
  readonly postal: number;
  readonly street: number;
  readonly address: PropertyAddress;
  readonly key: string;
  readonly location?: [number, number];
  readonly phones: string[];
}

const e164 = (n: number) => `+4670${String(n).padStart(7, '0')}`;
const addresses: RegisterAddress[] = [];
const reusable: number[] = [];
let nextPhone = 1;
let entries = 0;
for (let index = 0; index < settings.addresses; index++) {
  const postal = Math.floor(index / perPostalCode);
  const street = Math.floor((index % perPostalCode) / numbersPerStreet);
  const number = String((index % numbersPerStreet) + 1);
  const address: PropertyAddress = { street: streetsOf[postal]![street]!, number, postalCode: postalCode(postal), city: 'Arvika' };
  if (rng() < 0.05) address.letter = 'B';
  const location: [number, number] | undefined =
    rng() < 0.4 ? [12.5 + (postal % 10) * 0.01 + street * 0.0004 + rng() * 0.0003, 59.6 + Math.floor(postal / 10) * 0.01 + rng() * 0.005] : undefined;
  // 60 % of addresses have one phone, 30 % two, 10 % three: 1.5 entries an address.
  const count = [1, 1, 1, 1, 1, 1, 2, 2, 2, 3][index % 10]!;
  const phones: number[] = [];
  while (phones.length < count) {
    // Some people are registered at two addresses (a holiday home): a phone used once before, far away.
    const shared = reusable.length > 2000 && rng() < settings.sharedPhoneShare ? reusable.splice(Math.floor(rng() * (reusable.length - 2000)), 1)[0] : undefined;
    const phone = shared !== undefined && !phones.includes(shared) ? shared : nextPhone++;
    if (phone !== shared && rng() < settings.sharedPhoneShare * 1.2) reusable.push(phone);
    phones.push(phone);
  }
  entries += phones.length;
  addresses.push({ index, postal, street, address, key: addressKey(address), ...(location ? { location } : {}), phones: phones.map(e164) });
}

const csvLines = ['phone,street,number,letter,postalCode,city,lat,lon'];
for (const a of addresses) {
  for (const [k, phone] of a.phones.entries()) {
    // National and international notation, as registers mix them.
    const written = (a.index + k) % 2 === 0 ? `0${phone.slice(3, 5)}-${phone.slice(5)}` : phone;
    const [lon, lat] = a.location ?? [];
    csvLines.push([written, a.address.street, a.address.number, a.address.letter ?? '', a.address.postalCode, a.address.city, lat?.toFixed(6) ?? '', lon?.toFixed(6) ?? ''].join(','));
  }
}
const csv = Buffer.from(`${csvLines.join('\n')}\n`, 'utf8');
const distinctPhones = new Set(addresses.flatMap((a) => a.phones));
const allPhones = [...distinctPhones];
const optedOutPhones = new Set<string>();
while (optedOutPhones.size < Math.min(settings.optOuts, allPhones.length)) optedOutPhones.add(allPhones[Math.floor(rng() * allPhones.length)]!);

// ---- the outage area: whole postal codes and streets in others -----------------------------

const areaPostal = Math.max(1, Math.floor((settings.outageAddresses * 0.8) / perPostalCode));
const remaining = Math.max(0, settings.outageAddresses - areaPostal * perPostalCode);
const selectorCount = Math.round(remaining / 40); // 60 % whole streets (50), 40 % half streets (25)
// The last postal code is kept out of the area for the slower outage.
const otherPostal = Array.from({ length: Math.max(0, postalCodeCount - areaPostal - 1) }, (_, i) => areaPostal + i);
const selectors: { selector: StreetSelector; postal: number; street: number }[] = [];
for (let k = 0; k < selectorCount && otherPostal.length > 0; k++) {
  const postal = otherPostal[k % otherPostal.length]!;
  const street = Math.floor(k / otherPostal.length) % streetsPerPostalCode;
  const base: StreetSelector = { street: streetsOf[postal]![street]!, postalCode: postalCode(postal) };
  const kind = k % 5;
  selectors.push({
    postal,
    street,
    selector: kind < 3 ? base : kind === 3 ? { ...base, from: 1, to: 25 } : { ...base, side: 'even' },
  });
}
const area: OutageArea = {
  postalCodes: Array.from({ length: areaPostal }, (_, p) => postalCode(p)),
  streets: selectors.map((s) => s.selector),
};
const inArea = addresses.filter(
  (a) =>
    a.postal < areaPostal ||
    selectors.some(({ postal, street, selector }) => {
      if (a.postal !== postal || a.street !== street) return false;
      const n = Number(a.address.number);
      if (selector.to !== undefined && n > selector.to) return false;
      if (selector.side === 'even' && n % 2 !== 0) return false;
      return true;
    }),
);
const expectedPhones = new Set(inArea.flatMap((a) => a.phones));
const slowPostal = postalCodeCount - 1;
const slowArea: OutageArea = { postalCodes: [postalCode(slowPostal)] };
const slowPhones = new Set(addresses.filter((a) => a.postal === slowPostal).flatMap((a) => a.phones));

// ---- the product, with a recording sender ---------------------------------------------------

const now = () => new Date('2026-11-24T10:00:00Z'); // a Tuesday morning: nothing is held for quiet hours
/** The alert repository, noting when each claim of a recipient (queued → sending) starts and ends. */
class TimedAlertRepository extends DynamoAlertRepository {
  readonly claims: { key: string; start: number; end: number }[] = [];
  override async transitionRecipient(...args: Parameters<DynamoAlertRepository['transitionRecipient']>): Promise<boolean> {
    const [recipient, from, to] = args;
    if (from !== 'queued' || to.status !== 'sending') return super.transitionRecipient(...args);
    const start = performance.now();
    const claimed = await super.transitionRecipient(...args);
    this.claims.push({ key: `${recipient.outageId}#${recipient.messageKey}`, start, end: performance.now() });
    return claimed;
  }
}
const repo = new TimedAlertRepository(driver.db, benchTable);
const sends: { key: string; to: string; at: number }[] = [];
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const sms: SmsSender = {
  async send(message) {
    sends.push({ key: `${message.outageId}#${message.messageKey}`, to: message.to, at: performance.now() });
    await sleep(settings.providerLatencyMs);
    return { providerMessageId: `bench-${sends.length}` };
  },
};
const voice: VoiceSender = {
  async call(message) {
    sends.push({ key: `${message.outageId}#${message.messageKey}`, to: message.to, at: performance.now() });
    await sleep(settings.providerLatencyMs);
    return { providerMessageId: `bench-voice-${sends.length}` };
  },
};
const alertSettings = (pace: number): AlertSettings => ({
  department: 'Arvika Vatten',
  infoUrl: 'https://www.arvika.se/driftinfo',
  contact: 'Kundservice 0570-816 00',
  capSender: 'driftinfo@arvika.se',
  country: 'SE',
  zone: 'Europe/Stockholm',
  defaultLanguage: 'sv',
  maxSegments: 3,
  sendRatePerSecond: pace,
  pricePerSegment: { amount: 45, currency: 'SEK' },
  reportsPerClientPerHour: 20,
});
const jobs: { outageId: string; messageKey: string; chunk?: number }[] = [];
const jobRepo = new DynamoJobRepository(driver.db, benchTable);
/** The alert job queue's messages (a register import's chunks), run by the bench as the alert job worker would. */
const alertJobs: AlertJobMessage[] = [];
const alertsAt = (pace: number) =>
  new OutageAlerts({
    repo, sms, voice, queue: { enqueue: async (job) => void jobs.push(job) }, now, newId: (prefix) => randomIds.newId(prefix),
    // A large outage's job runs inline in the createOutage phase; a register import's chunks in its phase.
    jobs: jobRepo, jobQueue: { enqueueJob: async (job) => void alertJobs.push(job) },
    settings: alertSettings(pace), canReceiveSms,
  });
const ops = { subject: 'bench-ops', role: 'ops' } as const;

// ---- measure ----------------------------------------------------------------------------------

driver.progress(`register: ${addresses.length} addresses, ${entries} phone entries, ${distinctPhones.size} phones; area ${inArea.length} addresses`);
const fast = alertsAt(settings.fastPace);
const imported = await driver.phase('importRegister', async () => {
  const started = await fast.importRegister(csv);
  // Its chunks, as the alert job worker takes them from the queue: four at once (the last completes the import).
  const worker = async () => {
    for (let message = alertJobs.shift(); message; message = alertJobs.shift()) await fast.runJob(message);
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  const job = await fast.getJob(started.jobId);
  if (job?.status !== 'completed') throw new Error(`the register import did not complete: ${job?.status}`);
  return started;
});
for (const phone of optedOutPhones) await repo.putOptOut(phone, now().toISOString());

const resolved = await driver.phase('resolveRecipients', () => fast.resolveRecipients(area));
const expectedOptedOut = [...expectedPhones].filter((phone) => optedOutPhones.has(phone)).length;
const matchesExpected =
  resolved.result.phones.length === expectedPhones.size && resolved.result.phones.every((phone) => expectedPhones.has(phone)) && resolved.result.optedOut.size === expectedOptedOut;

// The floor: the same subscription items, stored together, read once by a paged Query.
const floorPk = 'FLOOR#recipients';
const floorItems = inArea.flatMap((a) =>
  a.phones.map((phone) => {
    const subscription: Subscription = {
      subscriptionId: subscriptionId(phone, a.key, 'register'), phone, address: a.address, addressKey: a.key, source: 'register',
      generation: imported.result.generation, createdAt: now().toISOString(),
    };
    return { ...repo['subscriptionItem'](subscription), pk: floorPk, sk: `${a.key}#${phone}` };
  }),
);
await batchPut(driver.db, benchTable, floorItems);
const floor = await driver.phase('floor: the area\'s subscription items, read once', async () => {
  const phones = new Set<string>();
  let items = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page: QueryCommandOutput = await driver.db.send(
      new QueryCommand({ TableName: benchTable, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': floorPk }, ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}) }),
    );
    for (const item of page.Items ?? []) {
      phones.add(item.phone as string);
      items++;
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return { phones: phones.size, items };
});

/** A released message as the sending function's instances run it: fanned out into its chunks, all sent at once under the shared pace. */
async function sendAll(alerts: OutageAlerts, job: { outageId: string; messageKey: string }) {
  const before = jobs.length;
  await alerts.send(job);
  const chunks = jobs.splice(before);
  const results = await Promise.all(chunks.map((chunk) => alerts.send(chunk)));
  return results.reduce((sum, r) => ({ sent: sum.sent + r.sent, failed: sum.failed + r.failed, retry: sum.retry + r.retry }), { sent: 0, failed: 0, retry: 0 });
}

async function paced(alerts: OutageAlerts, pace: number, outage: string, outageArea: OutageArea, expected: Set<string>, addedLatencyMs = 0): Promise<PaceResult> {
  const created = await driver.phase(`createOutage (pace ${pace}/s)`, async () => {
    const started = await alerts.createOutage(ops, { category: 'leak', title: 'Vattenläcka', message: 'Vattnet är avstängt i området på grund av en läcka. Vi räknar med att vara klara i kväll.', area: outageArea });
    const job = started.status === 'completed' ? undefined : await alerts.runOutageJob(started.jobId, { inline: true });
    return { ...started, ...(job?.result ?? {}) } as { recipients: number; optedOut: number };
  });
  const job = jobs.at(-1)!;
  const key = `${job.outageId}#${job.messageKey}`;
  driver.addedLatencyMs = addedLatencyMs;
  const latency = addedLatencyMs > 0 ? `, ${addedLatencyMs} ms added to each DynamoDB call` : '';
  const sent = await driver.phase(`send at ${pace}/s${latency}`, () => sendAll(alerts, job));
  const recordedFirst = sends.filter((s) => s.key === key).length;
  const claims = repo.claims.filter((claim) => claim.key === key);
  const second = await driver.phase(`send again (the same job)`, () => sendAll(alerts, job));
  driver.addedLatencyMs = 0;
  const mine = sends.filter((s) => s.key === key);
  const recorded = mine.length - recordedFirst;
  const times = mine.slice(0, recordedFirst).map((s) => s.at).sort((a, b) => a - b);
  const mostInOneSecond = (sorted: number[]) => {
    let most = 0;
    for (let from = 0, to = 0; to < sorted.length; to++) {
      while (sorted[to]! - sorted[from]! >= 1000) from++;
      most = Math.max(most, to - from + 1);
    }
    return most;
  };
  const maxInOneSecond = mostInOneSecond(times);
  const claimMs = claims.map((claim) => claim.end - claim.start);
  let longestGapMs = 0;
  let longestGapEndsAtMs = 0;
  for (let i = 1; i < times.length; i++) {
    if (times[i]! - times[i - 1]! > longestGapMs) {
      longestGapMs = times[i]! - times[i - 1]!;
      longestGapEndsAtMs = times[i]! - times[0]!;
    }
  }
  let maxLagMs = 0;
  let maxLagAtMs = 0;
  times.forEach((at, i) => {
    const lag = at - times[0]! - (i * 1000) / pace;
    if (lag > maxLagMs) {
      maxLagMs = lag;
      maxLagAtMs = at - times[0]!;
    }
  });
  const perPhone = new Map<string, number>();
  for (const s of mine) perPhone.set(s.to, (perPhone.get(s.to) ?? 0) + 1);
  const firstToLastMs = times.length > 1 ? times.at(-1)! - times[0]! : Number.NaN;
  return {
    outage,
    pace,
    addedLatencyMs,
    recipients: created.result.recipients + created.result.optedOut,
    optedOut: created.result.optedOut,
    sent: recordedFirst,
    missing: [...expected].filter((phone) => !optedOutPhones.has(phone) && !perPhone.has(phone)).length,
    duplicates: [...perPhone.values()].filter((count) => count > 1).length,
    firstToLastMs,
    achievedPerSecond: ((times.length - 1) / firstToLastMs) * 1000,
    maxInOneSecond,
    longestGapMs,
    longestGapEndsAtMs,
    maxLagMs,
    maxLagAtMs,
    claims: {
      count: claims.length,
      maxStartedInOneSecond: mostInOneSecond(claims.map((claim) => claim.start).sort((a, b) => a - b)),
      p50Ms: percentile(claimMs, 50),
      p99Ms: percentile(claimMs, 99),
      maxMs: percentile(claimMs, 100),
    },
    createOutage: created.phase,
    send: sent.phase,
    secondRun: { ...second.phase, sent: second.result.sent, recorded },
  };
}

const bigOutage = `the area above (${inArea.length.toLocaleString('en-US')} addresses)`;
const smallOutage = `postal code ${postalCode(slowPostal)} (${addresses.filter((a) => a.postal === slowPostal).length.toLocaleString('en-US')} addresses)`;
const paces = [await paced(fast, settings.fastPace, bigOutage, area, expectedPhones)];
paces.push(await paced(alertsAt(settings.slowPace), settings.slowPace, smallOutage, slowArea, slowPhones));
if (settings.addedLatencyMs > 0) paces.push(await paced(fast, settings.fastPace, smallOutage, slowArea, slowPhones, settings.addedLatencyMs));

finish({
  settings,
  register: {
    addresses: addresses.length, phoneEntries: entries, distinctPhones: distinctPhones.size, geocoded: addresses.filter((a) => a.location).length,
    postalCodes: postalCodeCount, streets: postalCodeCount * streetsPerPostalCode, optOuts: optedOutPhones.size, csvBytes: csv.length,
  },
  importRegister: { ...imported.phase, imported: imported.result.imported, rejected: imported.result.rejected.length },
  area: { postalCodes: areaPostal, streetSelectors: selectors.length, addresses: inArea.length, expectedPhones: expectedPhones.size, expectedOptedOut },
  resolve: { ...resolved.phase, phones: resolved.result.phones.length, optedOut: resolved.result.optedOut.size, addresses: resolved.result.addresses, matchesExpected },
  floor: { ...floor.phase, ...floor.result },
  paces,
} satisfies AlertsResult);

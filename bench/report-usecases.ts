/** BENCHMARKS.md sections 3 (outage alerts) and 4 (billing and payments): method, tables, findings. */
import type { AlertsResult, PaceResult } from './alerts-driver.js';
import { defaultBookingLanes } from '../lambdas/domain/billing/payment-booking.js';
import type { BillingResult } from './billing-driver.js';
import type { Phase } from './driver-support.js';
import { DynamoMeter, type CallStats, type MeterSnapshot } from './dynamo-meter.js';
import { amount, count, seconds, signedPercent, table, times, verdict } from './markdown.js';
import { fixed } from './stats.js';

export interface BillingSizes {
  /** The issue's sizes. */
  readonly fullCustomers: number;
  readonly fullFacilities: number;
  readonly fullPayments: number;
  /** The bench's time budget on this machine, minutes. */
  readonly budgetMinutes: number;
  /** The billing run as measured on earlier code, with the same data (bench/billing-before.json), to compare with. */
  readonly before?: BillingBefore;
}

/** A billing run and its floor measured on an earlier commit, kept to show what a change did. */
export interface BillingBefore {
  readonly commit: string;
  readonly measuredAt: string;
  /** What the code did then, in a few words. */
  readonly code: string;
  readonly customers: number;
  readonly facilities: number;
  readonly readings: number;
  readonly run: Phase & { readonly invoices: number };
  readonly floor: Phase & { readonly invoices: number };
}

export const paceTolerance = 0.05;

/** Minutes one scenario may take when it cannot run at full size (the bench's rule). */
const scenarioMinutes = 10;

/** The issue's outage-alert sizes. */
const issueAlerts = { addresses: 100_000, phoneEntries: 150_000, outageAddresses: 20_000 };

/** What each kind of call is, by the meter's label (bench/dynamo-meter.ts). */
const described: Readonly<Record<string, string>> = {
  'GetItem REGISTER·META': "the register's current import (generation)",
  'Query POSTAL#': 'addresses in a postal code (postal-code index)',
  'Query STREET#·…': 'addresses on a street in a postal code (street index)',
  'Query GEO#·…': 'addresses in a geohash cell (place index)',
  'Query ADDR#·SUB#': 'subscriptions at one address: one Query per address',
  'BatchGetItem ADDR#·ADDRESS': 'listed addresses by key',
  'BatchGetItem OPTOUT#·OPTOUT': 'opt-out of each phone: 100 keys a call, one per phone',
  'Query gsi3 PHONE#': 'language of a customer with the phone: one Query per phone',
  'Query gsi1 OPTOUTS#': 'the opt-out list, read once (four shards)',
  'Query gsi3 SELFSUB#': "self-added subscriptions in one of the area's postal codes",
  'BatchWriteItem OUTAGE#·RESOLVED#': 'the resolved phones in pages of 4,000 (once per job)',
  'GetItem OUTAGE#·RESOLVED#': 'one page of resolved phones (once per page)',
  'GetItem JOB#·JOB': 'the job (its state, its counted pages)',
  'UpdateItem JOB#·JOB': "the job's status",
  'UpdateItem JOB#·JOB (conditional)': 'the resolution recorded once; each page counted once',
  'PutItem JOB#·JOB (conditional)': 'the job (created once)',
  'Query OUTAGE#·CHUNK#': "the chunks' counters (the languages the recipients read)",
  'PutItem OUTAGE#·CHUNK#': "a chunk's counters",
  'PutItem OUTAGE#·RCPT# (conditional)': 'a recipient: one conditional PutItem per phone',
  'PutItem OUTAGE#·META (conditional)': 'the outage',
  'PutItem OUTAGE#·MSG# (conditional)': 'the message',
  'Query REPORTS#·range': 'crowd reports of the last day (to acknowledge)',
  'GetItem OUTAGE#·MSG#': 'the message',
  'Query OUTAGE#·RCPT#': "the message's recipients (consistent, paged)",
  'UpdateItem OUTAGE#·RCPT# (conditional)': 'claim (queued → sending), then settle (→ sent)',
  'Query FLOOR#': 'the same subscription items, stored together, read once',
  'Query gsi4 CUSTSHARD#': "a page of the segment's customers (gsi4)",
  'GetItem RUN#·META': 'the run (once per page)',
  'PutItem RUN#·META (conditional)': 'the run (created once)',
  'PutItem RUN#·PAGE# (conditional)': "the page's counts (once per page)",
  'UpdateItem RUN#·META': "the run's counters (once per page)",
  'UpdateItem RUN#·META (conditional)': 'the run completed (once)',
  'GetItem INV#·INVOICE': "this run's invoice of the customer, if written before (consistent)",
  'Query CUS#·range': "the customer's partition from `BILLMETER#` to `FAC#`: meters' last reading times, billing state, credit, deposits, facilities (consistent)",
  'Query CUS#·FAC#': "the customer's facilities",
  'GetItem CUS#·BILLSTATE': 'billing state: what is billed through (consistent)',
  'Query CUS#·CREDIT#': 'credit balance (consistent)',
  'Query CUS#·DEP#': 'deposits',
  'Query TARIFF#': "a service's tariff versions",
  'Query READING#': "a meter's readings, all of them",
  'Query READING#·range': 'readings after the one last billed: per meter whose newest reading is after the period billed',
  'BatchGetItem READING#·…': "the newest reading of each meter read since it was billed, by key: 100 keys a call",
  'BatchWriteItem CUS#·BILLSTATE': 'billing state after the invoice, and its payment reference\'s lookup item: a page\'s, 25 items a call',
  'UpdateItem COUNTER#·COUNTER': 'invoice numbers: a block for the page, or one for each invoice',
  'PutItem INV#·INVOICE (conditional)': 'the invoice, with its three index entries',
  'PutItem CUS#·BILLSTATE': 'billing state after the invoice',
  'PutItem CUS#·CREDIT# (conditional)': 'credit: used by an invoice, or left by an overpayment',
  'PutItem FLOOR#·INVOICE (conditional)': 'the invoice item, written once (three index entries)',
  'PutItem PAYMENT#·PAYMENT (conditional)': 'the payment as booked, written once, last (after its invoice took it)',
  'PutItem PAYMENT#·PAYMENT': 'a payment an older crash left as received, as booked',
  'Query gsi1 REF#': 'invoice by payment reference (gsi1)',
  'BatchGetItem REF#·REF': 'invoices by payment reference: the lookup items a billing run writes, 100 a call (consistent)',
  'UpdateItem INV#·INVOICE (conditional)': 'apply the payment to the invoice (conditional on its version)',
  'GetItem PAYMENT#·PAYMENT': 'the payment someone else recorded meanwhile',
  'BatchGetItem PAYMENT#·PAYMENT': 'the payments recorded before, 100 a call (consistent)',
  'BatchGetItem INV#·INVOICE': 'the invoices found by reference, 100 a call (consistent: the index is not)',
  'PutItem PAYUPLOAD#·UPLOAD (conditional)': 'the upload URL handed out',
  'GetItem PAYUPLOAD#·UPLOAD': 'the upload, when it is imported',
  'PutItem PAYIMPORT#·IMPORT (conditional)': 'the import, once per file content',
  'GetItem PAYIMPORT#·IMPORT': 'the import (once per request and per chunk)',
  'UpdateItem PAYIMPORT#·IMPORT (conditional)': 'a chunk counted once (and: booking, completed)',
};

const importDescriptions: Readonly<Record<string, string>> = {
  'GetItem INV#·INVOICE': 'the invoice again, after a change between read and write (consistent)',
};

const total = (calls: MeterSnapshot) => DynamoMeter.total(calls);
const wcu = (stats: CallStats) => stats.wcuTable + stats.wcuIndex;
const code = (label: string) => `\`${label}\``;

/** Calls by kind, per `per` (an invoice, a payment; 1: totals), most calls first. */
function callTable(columns: { name: string; calls: MeterSnapshot; per: number }[], unit: string, descriptions: Readonly<Record<string, string>> = {}, mark?: (label: string) => string): string {
  const labels = [...new Set(columns.flatMap((column) => Object.keys(column.calls)))].sort(
    (a, b) => Math.max(...columns.map((c) => (c.calls[b]?.calls ?? 0) / c.per)) - Math.max(...columns.map((c) => (c.calls[a]?.calls ?? 0) / c.per)),
  );
  const totals = columns.every((column) => column.per === 1);
  const callCell = (value: number) => (totals ? count(value) : fixed(value, 2));
  const rcuCell = (value: number) => (totals ? amount(value, 1) : fixed(value, 2));
  const wcuCell = (stats: CallStats, per: number) =>
    totals ? `${count(stats.wcuTable)} + ${count(stats.wcuIndex)}` : `${fixed(stats.wcuTable / per, 2)} + ${fixed(stats.wcuIndex / per, 2)}`;
  const multi = columns.length > 1;
  const header = [
    'Call', 'What it reads or writes',
    ...columns.flatMap((column) => {
      const suffix = multi ? ` (${column.name})` : '';
      return [`Calls${unit}${suffix}`, `RCU${unit}${suffix}`, `WCU${unit}, table + indexes${suffix}`];
    }),
    ...(mark ? ['In the floor'] : []),
  ];
  const rows = labels.map((label) => [
    code(label),
    descriptions[label] ?? described[label] ?? '',
    ...columns.flatMap((column) => {
      const stats = column.calls[label];
      if (!stats) return ['', '', ''];
      const failed = stats.failed > 0 ? ` (${stats.failed === stats.calls ? 'all' : callCell(stats.failed / column.per)} failed)` : '';
      return [`${callCell(stats.calls / column.per)}${failed}`, rcuCell(stats.rcu / column.per), wcuCell(stats, column.per)];
    }),
    ...(mark ? [mark(label)] : []),
  ]);
  const sums = columns.map((column) => total(column.calls));
  rows.push([
    '**all**', '',
    ...sums.flatMap((sum, i) => [`**${callCell(sum.calls / columns[i]!.per)}**`, `**${rcuCell(sum.rcu / columns[i]!.per)}**`, `**${wcuCell(sum, columns[i]!.per)}**`]),
    ...(mark ? [''] : []),
  ]);
  return table(header, ['---', '---', ...columns.flatMap(() => ['--:', '--:', '--:']), ...(mark ? ['---'] : [])], rows);
}

const cpu = (phase: Phase, per: number) => `${fixed(phase.driverCpuMs / per, 2)} + ${fixed(phase.dynamoCpuMs / per, 2)}`;

// ---- method ------------------------------------------------------------------------------------

export const useCaseMethod = `**Outage alerts and billing.** Each runs as two child processes: a DynamoDB of its own
(bench/dynamo-server.mjs: dynalite in memory, \`createTableMs: 0\`, the table from
\`createTableInput\`) and a driver (bench/alerts-driver.ts, bench/billing-driver.ts) that calls
the use-cases directly, without HTTP: \`OutageAlerts\` and \`Billing\` built with the real
DynamoDB repositories on the product's document client (\`documentClient\`). The data is
generated from a fixed seed, so every run builds the same. DynamoDB calls and capacity are
counted by a middleware on that client (bench/dynamo-meter.ts) by operation and by the keys they
touch (\`Query CUS#·FAC#\`: a Query of a customer's facilities). Capacity follows DynamoDB's rules:
reads per 4 KB (0.5 RCU eventually consistent, 1 consistent; a GetItem or Query that finds
nothing still costs that; each BatchGetItem key counts alone), writes per 1 KB of the larger of
the item before and after, once on the table and once more for every global secondary index
entry the write puts, changes or removes (all four indexes project ALL). Item sizes are
dynalite's, which implements DynamoDB's size rule; the meter asks each call for
\`ReturnConsumedCapacity\` and adds what dynalite leaves out (index writes, empty reads). A write
whose condition fails counts 1 WCU. CPU is user + system time of the driver (the product code
and its SDK client) and of the DynamoDB process (\`/proc\`).`;

// ---- 3. outage alerts ----------------------------------------------------------------------

function paceMet(pace: PaceResult): boolean {
  return Math.abs(pace.achievedPerSecond / pace.pace - 1) <= paceTolerance && pace.duplicates === 0;
}

export function alertsSection(alerts: AlertsResult): string {
  const { register, area, resolve, floor, importRegister } = alerts;
  const resolveTotal = total(resolve.calls);
  const floorTotal = total(floor.calls);
  const importTotal = total(importRegister.calls);
  const shared = register.phoneEntries - register.distinctPhones;

  const resolution = table(
    ['Recipient resolution', 'Phones', 'Wall (s)', 'DynamoDB calls', 'Items read', 'RCU', 'RCU / floor', 'Wall / floor', 'CPU (s): product + DynamoDB'],
    ['---', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:'],
    [
      [
        '`resolveRecipients(area)`', `${count(resolve.phones)} (${count(resolve.optedOut)} opted out)`, seconds(resolve.wallMs), count(resolveTotal.calls),
        count(resolveTotal.items), amount(resolveTotal.rcu), times(resolveTotal.rcu / floorTotal.rcu, 1), times(resolve.wallMs / floor.wallMs, 0),
        `${seconds(resolve.driverCpuMs)} + ${seconds(resolve.dynamoCpuMs)}`,
      ],
      [
        `floor: the area's ${count(floor.items)} subscription items, stored together, one paged Query`, count(floor.phones), seconds(floor.wallMs),
        count(floorTotal.calls), count(floorTotal.items), amount(floorTotal.rcu), '1.0×', '1×', `${seconds(floor.driverCpuMs)} + ${seconds(floor.dynamoCpuMs)}`,
      ],
    ],
  );

  const paceRows = alerts.paces.map((pace) => [
    `${pace.pace}${pace.addedLatencyMs > 0 ? `, ${pace.addedLatencyMs} ms added to each DynamoDB call (experiment)` : ''}`,
    pace.outage,
    count(pace.recipients),
    count(pace.optedOut),
    count(pace.sent),
    seconds(pace.firstToLastMs),
    fixed(pace.achievedPerSecond, 1),
    signedPercent(pace.achievedPerSecond / pace.pace - 1),
    count(pace.maxInOneSecond),
    `${count(pace.claims.p99Ms)} / ${count(pace.claims.maxMs)}`,
    count(pace.duplicates),
    count(pace.missing),
    `${count(pace.secondRun.sent)} (${seconds(pace.secondRun.wallMs)} s)`,
    verdict(paceMet(pace)),
  ]);
  const sending = table(
    ['Pace (msg/s)', 'Outage', 'Recipients', 'Opted out', 'Sent', 'First → last send (s)', 'Achieved (msg/s)', 'Deviation', 'Most in any 1 s', 'Claim p99 / max (ms)', 'Duplicates', 'Missed', 'Second run: sent', 'Target ±5 %, no duplicates'],
    ['---', '---', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '---'],
    paceRows,
  );
  const big = alerts.paces[0]!;
  const sendTotal = total(big.send.calls);
  const claims = Object.entries(big.send.calls).filter(([label]) => label.startsWith('UpdateItem'));
  const sendCalls =
    `Each message sent costs ${fixed(sendTotal.calls / Math.max(1, big.sent), 2)} DynamoDB calls (${claims.map(([label, stats]) => `${code(label)} ×${fixed(stats.calls / Math.max(1, big.sent), 2)}`).join(', ')}: ` +
    `the claim and the settlement), ${fixed(sendTotal.wcuTable / Math.max(1, big.sent), 2)} WCU, and ${fixed(sendTotal.rcu / Math.max(1, big.sent), 3)} RCU for its share of reading the ` +
    `recipients once; the second run reads the recipients (${amount(total(big.secondRun.calls).rcu, 1)} RCU) and sends nothing.`;
  const full = register.addresses >= issueAlerts.addresses && register.phoneEntries >= issueAlerts.phoneEntries && area.addresses >= issueAlerts.outageAddresses;
  const size = full
    ? `Full size: the issue's ${count(issueAlerts.addresses)} addresses, ${count(issueAlerts.phoneEntries)} phone entries and an outage over ${count(issueAlerts.outageAddresses)} addresses.`
    : `**Not full size**: ${count(register.addresses)} addresses, ${count(register.phoneEntries)} phone entries and an outage over ${count(area.addresses)} addresses, ` +
      `of the issue's ${count(issueAlerts.addresses)}, ${count(issueAlerts.phoneEntries)} and ${count(issueAlerts.outageAddresses)}.`;

  return `## 3. Outage alerts

${size}

The register: ${count(register.addresses)} addresses on ${count(register.streets)} streets in ${count(register.postalCodes)} postal codes
(${count(register.geocoded)} with lat/lon), ${count(register.phoneEntries)} phone entries (1, 2 or 3 an address) of
${count(register.distinctPhones)} phones (${count(shared)} registered at two addresses), ${count(register.optOuts)} opt-outs. It is
imported as one ${fixed(register.csvBytes / 1e6)} MB CSV file with \`importRegister\` (the product's CSV reader, the rows stored in
chunks of 1,000, each address whole, and the chunks written by the bench four at once as the alert job worker takes them from
its queue; the seeding of this section): ${seconds(importRegister.wallMs)} s, ${count(importRegister.imported)} rows, ${count(importTotal.calls)}
DynamoDB calls, ${count(importTotal.wcuTable)} + ${count(importTotal.wcuIndex)} WCU (table + indexes). The outage area:
${count(area.postalCodes)} whole postal codes and ${count(area.streetSelectors)} street selectors in other postal codes (3 in 5 whole
streets, 1 in 5 house numbers 1–25, 1 in 5 the even side): ${count(area.addresses)} addresses, ${count(area.expectedPhones)} phones,
${count(area.expectedOptedOut)} of them opted out. The floor is the minimum read for those recipients: their subscription items
read once. To time it, the bench writes copies of exactly those items under one partition key and
reads them with a paged Query.

${resolution}

The phones \`resolveRecipients\` returned ${resolve.matchesExpected ? 'are exactly' : '**differ from**'} the ones the generator placed in the area
(opt-outs included); the meter's own bookkeeping took ${fixed(resolve.meterMs / 1000, 2)} s of its CPU. Its reads by kind:

${callTable([{ name: 'resolve', calls: resolve.calls, per: 1 }], '')}

\`createOutage\` on the same area (its job, run inline: it resolves the recipients again and stores them in pages of 4,000,
then for each page looks up each phone's language and writes a recipient record per phone): ${seconds(big.createOutage.wallMs)} s.

${callTable([{ name: 'createOutage', calls: big.createOutage.calls, per: 1 }], '')}

**Sending.** \`OutageAlerts.send\` with \`sendRatePerSecond\` set to the pace, through a recording
\`SmsSender\` that notes the time each send starts (\`performance.now()\`) and answers after
${alerts.settings.providerLatencyMs} ms, as a provider's API call would. Achieved rate = (sent − 1) / (last − first send);
"most in any 1 s" is the largest number of sends that started within one second (a provider's
per-second limit sees that, not the average). Before each send the recipient is claimed (a
conditional UpdateItem, queued → sending); "claim" is how long that took. Each job is then run a second time, as a second
delivery of the queue message would. Duplicates count phones that got the same message more than
once over both runs; "missed" counts phones in the outage, not opted out, that got nothing.

${sending}

${sendCalls}
`;
}

export function alertsFindings(alerts: AlertsResult): string[] {
  const { resolve, floor } = alerts;
  const resolveTotal = total(resolve.calls);
  const floorTotal = total(floor.calls);
  const lines: string[] = [];
  const byRcu = Object.entries(resolve.calls).sort((a, b) => b[1].rcu - a[1].rcu);
  const parts = byRcu
    .filter(([, stats]) => stats.rcu / resolveTotal.rcu >= 0.02)
    .map(([label, stats]) => `${code(label)} ${count(stats.calls)} calls, ${amount(stats.rcu, 0)} RCU (${fixed((stats.rcu / resolveTotal.rcu) * 100, 0)} %)`);
  lines.push(
    `- **Recipient resolution** reads ${amount(resolveTotal.rcu, 0)} RCU in ${count(resolveTotal.calls)} calls for ${count(resolve.phones)} phones at ` +
      `${count(resolve.addresses)} addresses: ${times(resolveTotal.rcu / floorTotal.rcu, 1)} the floor's ${amount(floorTotal.rcu, 0)} RCU (the same subscription items ` +
      `read together), and ${seconds(resolve.wallMs)} s against ${seconds(floor.wallMs)} s. Where it goes: ${parts.join('; ')}. ` +
      'Every call reads at least 0.5 RCU (4 KB), and one address has one to three subscription items of a few hundred bytes, so ' +
      'a Query per address costs several times what its items weigh; the opt-out check reads one key per phone, and a key that ' +
      `is not there (almost all) costs as much as one that is. Even in today's layout, one Query per address cannot cost less ` +
      `than ${amount(resolve.addresses * 0.5, 0)} RCU (${count(resolve.addresses)} × 0.5) for the subscriptions alone.`,
  );
  const create = alerts.paces[0]!.createOutage;
  const createTotal = total(create.calls);
  const perPhone = Object.entries(create.calls)
    .filter(([, stats]) => stats.calls >= alerts.paces[0]!.recipients * 0.9)
    .map(([label, stats]) => `${code(label)} ×${count(stats.calls)}`);
  lines.push(
    `- **createOutage** takes ${seconds(create.wallMs)} s and ${count(createTotal.calls)} calls (${amount(createTotal.rcu, 0)} RCU, ${count(wcu(createTotal))} WCU) ` +
      `for ${count(alerts.paces[0]!.recipients)} recipients: the resolution again, and per phone ${perPhone.join(', ')}.`,
  );
  for (const pace of alerts.paces) {
    const deviation = pace.achievedPerSecond / pace.pace - 1;
    const where = pace.addedLatencyMs > 0 ? ` with ${pace.addedLatencyMs} ms added before every DynamoDB call` : '';
    const verdictText = paceMet(pace) ? 'target met' : 'target **missed**';
    lines.push(
      `- **Sending at ${pace.pace}/s${where}**: ${verdictText}: ${fixed(pace.achievedPerSecond, 1)} msg/s (${signedPercent(deviation)}) over ` +
        `${seconds(pace.firstToLastMs)} s to ${count(pace.sent)} phones, at most ${count(pace.maxInOneSecond)} in any one second, ` +
        `${count(pace.duplicates)} duplicates, ${count(pace.missing)} missed; the second run of the same job sent ${count(pace.secondRun.sent)}.`,
    );
  }
  const bursts = alerts.paces.filter((pace) => pace.maxInOneSecond > pace.pace * (1 + paceTolerance));
  for (const pace of bursts) {
    const loopKeptPace = pace.claims.maxStartedInOneSecond <= pace.pace * (1 + paceTolerance);
    lines.push(
      `- The average hides a burst at ${pace.pace}/s${pace.addedLatencyMs > 0 ? ' (experiment)' : ''}: ${count(pace.maxInOneSecond)} sends started within one second, ` +
        `${times(pace.maxInOneSecond / pace.pace, 2)} the pace. The claims started at most ${count(pace.claims.maxStartedInOneSecond)} in any one second, ` +
        (loopKeptPace
          ? `so the pacing kept the pace; the sends bunched because their claims finished together: each send waits for its own claim, ` +
            `and the slowest claim took ${count(pace.claims.maxMs)} ms (p99 ${count(pace.claims.p99Ms)} ms, p50 ${fixed(pace.claims.p50Ms, 1)} ms) while ` +
            'the DynamoDB process paused. In AWS a slow DynamoDB call does the same. '
          : `so the pacing itself sent in a burst: it fell up to ${count(pace.maxLagMs)} ms behind first send + n × interval ` +
            `(${seconds(pace.maxLagAtMs)} s in; the longest gap between two sends was ${count(pace.longestGapMs)} ms) and caught up at once. `) +
        "A provider's per-second limit (the SNS account's SMS rate the pace is set from) sees the burst, not the average.",
    );
  }
  const experiment = alerts.paces.find((pace) => pace.addedLatencyMs > 0);
  if (experiment) {
    const interval = 1000 / experiment.pace;
    lines.push(
      paceMet(experiment)
        ? `- The experiment: with ${experiment.addedLatencyMs} ms added before every DynamoDB call (about a DynamoDB round trip in AWS, against ` +
            `about a millisecond to dynalite here), the pace holds: ${fixed(experiment.achievedPerSecond, 1)}/s (${signedPercent(experiment.achievedPerSecond / experiment.pace - 1)}), ` +
            `although each claim took ${fixed(experiment.claims.p50Ms, 1)} ms (p50), longer than the ${fixed(interval, 1)} ms interval: the pacing does not wait for the claims.`
        : `- The experiment: with ${experiment.addedLatencyMs} ms added before every DynamoDB call (about a DynamoDB round trip in AWS, against ` +
            `about a millisecond to dynalite here), the achieved rate falls to ${fixed(experiment.achievedPerSecond, 1)}/s ` +
            `(${signedPercent(experiment.achievedPerSecond / experiment.pace - 1)}): each claim took ${fixed(experiment.claims.p50Ms, 1)} ms (p50), longer than the ` +
            `${fixed(interval, 1)} ms interval, and at most ${count(experiment.claims.maxStartedInOneSecond)} claims started in any one second: the pacing ` +
            'waits for each claim before the next send, so on DynamoDB any claim longer than the interval holds the pace back.',
    );
  }
  return lines;
}

// ---- 4. billing and payments -------------------------------------------------------------------

export function billingSizesText(billing: BillingResult, sizes: BillingSizes, sectionSeconds?: number): { ran: string; projection: string; fullMinutes: number } {
  const perInvoice = billing.run.wallMs / billing.run.invoices;
  const perPayment = billing.firstImport.wallMs / billing.file.payments;
  const perRepeat = billing.secondImport.wallMs / billing.file.payments;
  const perSeed = billing.seed.wallMs / billing.seed.customers;
  const perFloor = billing.floor.wallMs / billing.floor.invoices;
  const invoicesPerCustomer = billing.run.invoices / billing.seed.customers;
  const runMin = (perInvoice * sizes.fullCustomers * invoicesPerCustomer) / 60_000;
  const importMin = (perPayment * sizes.fullPayments) / 60_000;
  const repeatMin = (perRepeat * sizes.fullPayments) / 60_000;
  const otherMin = ((perSeed + perFloor * invoicesPerCustomer) * sizes.fullCustomers) / 60_000;
  const filePayments = billing.file.payments + (billing.chunkedFile?.payments ?? 0);
  const full = billing.seed.customers >= sizes.fullCustomers && filePayments >= sizes.fullPayments;
  const fullMinutes = runMin + importMin + repeatMin + otherMin;
  const over = [
    ...(fullMinutes > scenarioMinutes ? [`more than the ~${scenarioMinutes} minutes a scenario too big for the bench may still take`] : []),
    ...(fullMinutes > sizes.budgetMinutes ? [`more than the ${sizes.budgetMinutes} minutes of the whole bench`] : []),
  ];
  const ran = full
    ? `Full size: ${count(billing.seed.customers)} customers with ${count(billing.seed.facilities)} facilities, a ${count(billing.file.payments)}-payment file` +
      (sectionSeconds !== undefined ? ` (the section took ${fixed(sectionSeconds / 60, 1)} min: seeding, the run, its floor, the parse floor and the imports).` : '.')
    : `**Not full size.** This run billed ${count(billing.seed.customers)} customers with ${count(billing.seed.facilities)} facilities ` +
      `(${fixed((billing.seed.customers / sizes.fullCustomers) * 100, 0)} % of the issue's ${count(sizes.fullCustomers)} and ${count(sizes.fullFacilities)}) and imported ` +
      (billing.chunkedFile
        ? `${count(filePayments)} payments in two files (${count(billing.file.payments)} with \`importPayments\`, ${count(billing.chunkedFile.payments)} through the chunked import) `
        : `a ${count(billing.file.payments)}-payment file `) +
      `(of ${count(sizes.fullPayments)}; the parse-only floor below is also timed on a full ${count(sizes.fullPayments)}-payment file). ` +
      `At this run's own rates the full size takes about ${fixed(runMin, 0)} min for the billing run, ${fixed(importMin, 0)} min for the import and ` +
      `${fixed(repeatMin, 0)} min for the second import, ${fixed(fullMinutes, 0)} min with seeding and the floor` +
      (over.length > 0 ? `: ${over.join(', and ')}` : '') +
      `. So this section runs at the size set in bench/run.ts, ${fixed((billing.seed.customers / sizes.fullCustomers) * 100, 0)} % of the issue's, the largest ` +
      'that keeps it within about 10 minutes and the whole bench within its budget with the load other processes put on this machine' +
      (sectionSeconds !== undefined ? ` (this time the section took ${fixed(sectionSeconds / 60, 1)} min)` : '') +
      '. Every customer costs the ' +
      'same calls and every payment the same calls (the tables below are per invoice and per payment), so the full-size times are ' +
      'these times scaled.';
  const projection = `${fixed(runMin, 0)} min (run), ${fixed(importMin, 0)} min (import), ${fixed(repeatMin, 0)} min (second import)`;
  return { ran, projection, fullMinutes };
}

/** The same data billed by earlier code (bench/billing-before.json), each run beside the floor measured with it. */
function beforeTable(billing: BillingResult, before: BillingBefore | undefined): string {
  if (!before || before.customers !== billing.seed.customers || before.facilities !== billing.seed.facilities) return '';
  const row = (name: string, run: Phase & { invoices: number }, floor: Phase & { invoices: number }) => {
    const runTotal = total(run.calls);
    const n = run.invoices;
    return [
      name, count(n), seconds(run.wallMs), seconds(floor.wallMs), times(run.wallMs / floor.wallMs, 1), fixed(runTotal.calls / n, 2), fixed(runTotal.rcu / n, 2),
      `${fixed(runTotal.wcuTable / n, 2)} + ${fixed(runTotal.wcuIndex / n, 2)}`, cpu(run, n),
    ];
  };
  return `
The same data billed by the code before this change (commit ${before.commit}, measured ${before.measuredAt.slice(0, 10)}: ${before.code}), each run beside the floor
measured in the same process; compare the ratios, since the load on the machine differed:

${table(
  ['', 'Invoices', 'Run wall (s)', 'Floor wall (s)', 'Run / floor', 'DynamoDB calls / invoice', 'RCU / invoice', 'WCU / invoice, table + indexes', 'CPU ms / invoice: product + DynamoDB'],
  ['---', '--:', '--:', '--:', '--:', '--:', '--:', '--:', '--:'],
  [row(`before (${before.commit})`, before.run, before.floor), row('this run', { ...billing.run, invoices: billing.run.invoices }, billing.floor)],
)}
`;
}

export function billingSection(billing: BillingResult, sizes: BillingSizes, sectionSeconds?: number): string {
  const { run, floor, seed } = billing;
  const runTotal = total(run.calls);
  const floorTotal = total(floor.calls);
  const n = run.invoices;
  const floorLabels = new Set(Object.keys(floor.calls));
  const inFloor = (label: string) => (label === 'PutItem INV#·INVOICE (conditional)' ? 'yes (the write)' : floorLabels.has(label) ? 'yes' : '');
  const mixes = Object.entries(seed.byMix).map(([mix, facilities]) => `${mix} ${count(facilities)}`).join(', ');

  const runTable = table(
    ['', 'Invoices', 'Wall (s)', 'Invoices/s', 'DynamoDB calls / invoice', 'RCU / invoice', 'WCU / invoice, table + indexes', 'CPU ms / invoice: product + DynamoDB'],
    ['---', '--:', '--:', '--:', '--:', '--:', '--:', '--:'],
    [
      [
        `billing run (\`startRun\`, ${run.pages} pages through the in-process queue)`, count(n), seconds(run.wallMs), fixed(n / (run.wallMs / 1000), 1),
        fixed(runTotal.calls / n, 2), fixed(runTotal.rcu / n, 2), `${fixed(runTotal.wcuTable / n, 2)} + ${fixed(runTotal.wcuIndex / n, 2)}`, cpu(run, n),
      ],
      [
        'floor: the same paged read of the customers, one PutItem per invoice', count(floor.invoices), seconds(floor.wallMs),
        fixed(floor.invoices / (floor.wallMs / 1000), 1), fixed(floorTotal.calls / floor.invoices, 2), fixed(floorTotal.rcu / floor.invoices, 2),
        `${fixed(floorTotal.wcuTable / floor.invoices, 2)} + ${fixed(floorTotal.wcuIndex / floor.invoices, 2)}`, cpu(floor, floor.invoices),
      ],
      [
        '**run / floor**', '', times(run.wallMs / floor.wallMs, 1), '', times(runTotal.calls / floorTotal.calls, 1), times(runTotal.rcu / floorTotal.rcu, 1),
        `${times(wcu(runTotal) / wcu(floorTotal), 2)} (table ${times(runTotal.wcuTable / floorTotal.wcuTable, 2)})`,
        times((run.driverCpuMs + run.dynamoCpuMs) / (floor.driverCpuMs + floor.dynamoCpuMs), 1),
      ],
    ],
  );

  const payments = billing.file.payments;
  const first = billing.firstImport;
  const second = billing.secondImport;
  const firstTotal = total(first.calls);
  const secondTotal = total(second.calls);
  const chunked = billing.chunkedImport;
  const chunkedTotal = chunked ? total(chunked.calls) : undefined;
  const nothingTwice = second.counts.alreadyImported === payments && second.counts.matched === 0 && second.counts.unmatched === 0;
  const paymentRows = [
    [
      `parse only (\`parsePaymentFile\`, median of ${billing.parse.runsMs.length})`, count(billing.parse.payments), fixed(billing.parse.medianMs / 1000, 2),
      count(billing.parse.payments / (billing.parse.medianMs / 1000)), '0', '0', '0', `${count(billing.parse.payments)} payments, ${count(billing.parse.errors)} errors`,
    ],
    ...(billing.fullParse
      ? [[
          `parse only, a ${count(billing.fullParse.payments)}-payment file (${fixed(billing.fullParse.bytes / 1e6)} MB)`, count(billing.fullParse.payments),
          fixed(billing.fullParse.medianMs / 1000, 2), count(billing.fullParse.payments / (billing.fullParse.medianMs / 1000)), '0', '0', '0',
          `${count(billing.fullParse.errors)} errors`,
        ]]
      : []),
    [
      '`importPayments`', count(payments), seconds(first.wallMs), fixed(payments / (first.wallMs / 1000), 0), fixed(firstTotal.calls / payments, 2),
      fixed(firstTotal.rcu / payments, 2), `${fixed(firstTotal.wcuTable / payments, 2)} + ${fixed(firstTotal.wcuIndex / payments, 2)}`,
      `${count(first.counts.matched)} matched, ${count(first.counts.unmatched)} unmatched, ${count(first.counts.overpaid)} overpaid (credit)`,
    ],
    [
      '`importPayments`, the same file again', count(payments), seconds(second.wallMs), fixed(payments / (second.wallMs / 1000), 0),
      fixed(secondTotal.calls / payments, 2), fixed(secondTotal.rcu / payments, 2), `${fixed(secondTotal.wcuTable / payments, 2)} + ${fixed(secondTotal.wcuIndex / payments, 2)}`,
      `${count(second.counts.alreadyImported)} already imported, ${count(second.counts.matched + second.counts.unmatched)} booked: nothing twice — ${verdict(nothingTwice)}`,
    ],
    ...(chunked && billing.chunkedFile
      ? [[
          `chunked import (\`PaymentImports\`: validated whole in ${fixed(chunked.validateMs / 1000, 2)} s, ${count(chunked.record.chunks)} chunks of ${count(chunked.record.chunkSize)}, ${chunked.chunkConcurrency} at once; the other half of the invoices)`,
          count(billing.chunkedFile.payments), seconds(chunked.wallMs), fixed(billing.chunkedFile.payments / (chunked.wallMs / 1000), 0),
          fixed(chunkedTotal!.calls / billing.chunkedFile.payments, 2), fixed(chunkedTotal!.rcu / billing.chunkedFile.payments, 2),
          `${fixed(chunkedTotal!.wcuTable / billing.chunkedFile.payments, 2)} + ${fixed(chunkedTotal!.wcuIndex / billing.chunkedFile.payments, 2)}`,
          `${chunked.record.status}: ${count(chunked.record.matched)} matched, ${count(chunked.record.unmatched)} unmatched, ${count(chunked.record.overpaid)} overpaid, ${count(chunked.record.alreadyImported)} already imported`,
        ]]
      : []),
    ['**import / parse**', '', times(first.wallMs / billing.parse.medianMs, 0), '', '', '', '', ''],
  ];
  const paymentTable = table(
    ['', 'Payments', 'Wall (s)', 'Payments/s', 'DynamoDB calls / payment', 'RCU / payment', 'WCU / payment, table + indexes', 'Outcome'],
    ['---', '--:', '--:', '--:', '--:', '--:', '--:', '---'],
    paymentRows,
  );

  return `## 4. Billing and payments

${billingSizesText(billing, sizes, sectionSeconds).ran}

Seeded with BatchWriteItem in ${seconds(seed.wallMs)} s (${count(seed.items)} items): customers in the items the customer
repository builds (\`customerItem\`: name, phone and shard keys, sharded over gsi4 by \`customerShardKey\`),
facilities likewise (\`facilityItem\`; ${mixes}), ${seed.tariffs} tariff versions with the billing repository
(water, sewage, waste, electricity grid; waste changes price mid-year). ${
  seed.readings !== undefined
    ? `${count(seed.readings)} meter readings in the items \`putReading\` writes (each meter's newest also in its customer's partition, ` +
      "`BILLMETER#`): remote-read grid meters at the end of November and of December, 1 in 10 water meters by its customer in December. " +
      'No credits or deposits: those items are not there to read. Water without a reading is billed on its expected use (R-SE-9).'
    : 'No meter readings, credits or deposits: water is billed on its expected use (R-SE-9), and those queries find nothing.'
} The run is
${billing.settings.runMonth} (services from November: a two-month period), all regions, ${billing.settings.pageSize} customers a page (the
product's default), the 32 segments through the embedded stack's in-process queue (local/jobs.ts), all
at once in one process (in AWS at most 8 segment functions run at a time). The floor reads the same
customer pages with the same concurrency and writes each invoice item once (a copy under its own
keys).

${runTable}
${beforeTable(billing, sizes.before)}
Run: ${count(run.customersDone)} customers, ${count(n)} invoices (${fixed(billing.invoiceLines.mean, 1)} lines on average, at most ${billing.invoiceLines.max}),
${count(run.errors)} errors, status ${run.status}, ${run.deadLetters} dead-lettered pages; the meter's own bookkeeping took
${fixed(run.meterMs / n, 3)} ms of the product process's CPU per invoice. DynamoDB calls per invoice by kind:

${callTable([{ name: 'run', calls: run.calls, per: n }], ' / invoice', {}, inFloor)}

**Payments.** A BgMax file (\`buildBgMaxFile\`, one deposit) paying ${billing.chunkedFile ? 'every other invoice' : 'the invoices'} just written: most in
full, 4 % half, 2 % over the total (the rest becomes credit), 2 % with an OCR no invoice has; every
other payment with a name record. ${count(billing.file.exact)} full, ${count(billing.file.partial)} half, ${count(billing.file.over)} over, ${count(billing.file.unknown)} unknown,
${fixed(billing.file.bytes / 1e6, 1)} MB. The floor is parsing the same bytes (\`parsePaymentFile\`), which \`importPayments\` does first.${
  billing.chunkedFile
    ? ` A second file of the same kind pays the other invoices (${count(billing.chunkedFile.payments)} payments, ${fixed(billing.chunkedFile.bytes / 1e6, 1)} MB) ` +
      'through the chunked import of large files (`PaymentImports`, the path of `POST /v1/payment-files/uploads` and `/imports`): the file ' +
      'from an in-memory object store (S3 in AWS), validated whole, then its chunks through the in-process queue, as many at once as the chunk function runs in AWS.'
    : ''
}

${paymentTable}

DynamoDB calls per payment by kind:

${callTable(
  [
    { name: 'import', calls: first.calls, per: payments },
    { name: 'again', calls: second.calls, per: payments },
    ...(chunked && billing.chunkedFile ? [{ name: 'chunked', calls: chunked.calls, per: billing.chunkedFile.payments }] : []),
  ],
  ' / payment',
  importDescriptions,
)}
`;
}

export function billingFindings(billing: BillingResult, sizes: BillingSizes, sectionSeconds?: number): string[] {
  const { run, floor } = billing;
  const n = run.invoices;
  const runTotal = total(run.calls);
  const floorTotal = total(floor.calls);
  const lines: string[] = [];
  const perInvoice = (label: string) => (run.calls[label]?.calls ?? 0) / n;
  const tariffCalls = perInvoice('Query TARIFF#');
  const customerReads = ['Query CUS#·FAC#', 'GetItem CUS#·BILLSTATE', 'Query CUS#·CREDIT#', 'Query CUS#·DEP#'].filter((label) => run.calls[label]);
  const customerReadRcu = customerReads.reduce((sum, label) => sum + (run.calls[label]?.rcu ?? 0), 0) / n;
  const invoiceWrite = run.calls['PutItem INV#·INVOICE (conditional)'];
  const counter = run.calls['UpdateItem COUNTER#·COUNTER'];
  const projected = billingSizesText(billing, sizes);
  const full = billing.seed.customers >= sizes.fullCustomers;
  const runCpu = run.driverCpuMs + run.dynamoCpuMs;
  const floorCpu = floor.driverCpuMs + floor.dynamoCpuMs;
  lines.push(
    `- **Billing run**: ${seconds(run.wallMs)} s for ${count(n)} invoices, ${times(run.wallMs / floor.wallMs, 1)} the floor's ${seconds(floor.wallMs)} s; ` +
      `${fixed(runTotal.calls / n, 2)} DynamoDB calls per invoice against ${fixed(floorTotal.calls / floor.invoices, 2)}, ${fixed(runTotal.rcu / n, 2)} RCU against ` +
      `${fixed(floorTotal.rcu / floor.invoices, 2)} (${times(runTotal.rcu / floorTotal.rcu, 0)}), ${fixed(wcu(runTotal) / n, 2)} WCU against ${fixed(wcu(floorTotal) / floor.invoices, 2)} ` +
      `(${times(wcu(runTotal) / wcu(floorTotal), 2)}). CPU per invoice, product + DynamoDB: ${cpu(run, n)} ms against ${cpu(floor, floor.invoices)} in the ` +
      `floor (${times(runCpu / floorCpu, 1)}); the two processes used ` +
      `${fixed(runCpu / run.wallMs, 2)} of the machine's cores on average, sharing them with whatever else ran` +
      (full ? '.' : `. Full size at this rate: ${projected.projection}.`),
  );
  const before = sizes.before && sizes.before.customers === billing.seed.customers && sizes.before.facilities === billing.seed.facilities ? sizes.before : undefined;
  if (before) {
    const bn = before.run.invoices;
    const beforeTotal = total(before.run.calls);
    const beforeFloorTotal = total(before.floor.calls);
    const perBefore = (label: string) => (before.run.calls[label]?.calls ?? 0) / bn;
    const changed = [...new Set([...Object.keys(before.run.calls), ...Object.keys(run.calls)])]
      .map((label) => ({ label, was: perBefore(label), now: perInvoice(label) }))
      .filter(({ was, now }) => Math.abs(was - now) >= 0.05 || (was === 0) !== (now === 0))
      .sort((a, b) => b.was - b.now - (a.was - a.now));
    const describe = ({ label, was, now }: { label: string; was: number; now: number }) =>
      `${code(label)} ${was === 0 ? 'new, ' : `${fixed(was, 2)} → `}${now === 0 ? 'gone' : fixed(now, 2)}`;
    const beforeCpu = before.run.driverCpuMs + before.run.dynamoCpuMs;
    const beforeFloorCpu = before.floor.driverCpuMs + before.floor.dynamoCpuMs;
    lines.push(
      `- **Before this change** (commit ${before.commit}, the same data): ${seconds(before.run.wallMs)} s, ${times(before.run.wallMs / before.floor.wallMs, 1)} its floor's ` +
        `${seconds(before.floor.wallMs)} s; ${fixed(beforeTotal.calls / bn, 2)} calls, ${fixed(beforeTotal.rcu / bn, 2)} RCU and ${fixed(wcu(beforeTotal) / bn, 2)} WCU per invoice ` +
        `(its floor: ${fixed(beforeFloorTotal.calls / before.floor.invoices, 2)} calls), CPU ${cpu(before.run, bn)} ms, ${times(beforeCpu / bn / (beforeFloorCpu / before.floor.invoices), 1)} its floor's. ` +
        `Now ${fixed(runTotal.calls / n, 2)} calls (${times(runTotal.calls / n / (beforeTotal.calls / bn), 2)} as many), ${fixed(runTotal.rcu / n, 2)} RCU, ${fixed(wcu(runTotal) / n, 2)} WCU, ` +
        `CPU ${times(runCpu / n / (beforeCpu / bn), 2)} as much (${times(runCpu / n / (floorCpu / floor.invoices), 1)} the floor's), and the run's wall time went from ` +
        `${times(before.run.wallMs / before.floor.wallMs, 1)} to ${times(run.wallMs / floor.wallMs, 1)} its floor's (wall-time ratios move with what else the machine runs ` +
        `while each phase is measured; the CPU and the calls do not). Calls per invoice that changed: ${changed.map(describe).join('; ')}.`,
    );
  }
  const inFloor = new Set([...Object.keys(floor.calls), 'PutItem INV#·INVOICE (conditional)']);
  const extras = Object.entries(run.calls)
    .filter(([label, stats]) => !inFloor.has(label) && stats.calls / n >= 0.05)
    .sort((a, b) => b[1].calls - a[1].calls)
    .map(([label, stats]) => `${code(label)} ×${fixed(stats.calls / n, 2)} (${fixed(stats.rcu / n, 2)} RCU${wcu(stats) > 0 ? `, ${fixed(wcu(stats) / n, 2)} WCU` : ''})`);
  const rare = Object.entries(run.calls).filter(([label, stats]) => !inFloor.has(label) && stats.calls / n < 0.05);
  const partition = run.calls['Query CUS#·range'];
  const readingCalls = perInvoice('Query READING#·range') + perInvoice('Query READING#');
  const readingKeys = (run.calls['BatchGetItem READING#·…']?.requested ?? 0) / n;
  const meteredPerInvoice = ((billing.seed.services.water ?? 0) + (billing.seed.services.electricity_grid ?? 0)) / n;
  lines.push(
    `- Per invoice, beside the floor's calls: ${extras.join(', ')}` +
      (rare.length > 0 ? `, and once per page or run: ${rare.map(([label]) => code(label)).join(', ')}` : '') +
      '.' +
      (customerReads.length > 1
        ? ` ${customerReads.length} of them read the customer's own partition (${customerReads.map(code).join(', ')}), each a separate call ` +
          `with its own minimum: ${fixed(customerReadRcu, 2)} RCU together.`
        : '') +
      (partition
        ? ` The customer's partition is read once (${code('Query CUS#·range')}, consistent: the state and the credit must be the latest): ` +
          `${fixed(partition.rcu / partition.calls, 2)} RCU a customer, ${fixed(partition.items / partition.calls, 1)} items; its state item also says which invoice ` +
          'handed it on, so a customer this run already billed costs nothing more, and no invoice is looked up before it is written (the conditional put ' +
          'refuses a second one; only then is the existing invoice read, to finish what an interrupted attempt left).'
        : '') +
      (readingCalls > 0 || partition
        ? ` Readings: ${fixed(readingKeys, 2)} newest readings per invoice read by key (${fixed(perInvoice('BatchGetItem READING#·…'), 3)} ` +
          `${code('BatchGetItem READING#·…')} calls) and ${fixed(readingCalls, 2)} Queries, for ${fixed(meteredPerInvoice, 2)} metered services per invoice: ` +
          'a meter is read only when its newest reading (its time is kept in the customer\'s partition) is newer than the one last billed; ' +
          'when that reading is within the period billed it is the one billed, read by its key, 100 to a call (here every remote-read grid ' +
          'meter, read at each month\'s end); a Query of the readings after the last billed one only where the newest is after the period.'
        : '') +
      (tariffCalls >= 0.5 ? ` The tariff versions are read ${fixed(tariffCalls, 2)} times per invoice, though they are the same for every customer.` : ''),
  );
  if (invoiceWrite) {
    const counterPerInvoice = counter ? counter.calls / n : 0;
    lines.push(
      `- Writes: the invoice item itself is ${fixed(invoiceWrite.wcuTable / invoiceWrite.calls, 2)} WCU (over 1 KB: lines and \`stateAfter\`) and ` +
        `${fixed(invoiceWrite.wcuIndex / invoiceWrite.calls, 2)} WCU more for its three index entries, each a full copy (projection ALL), as in the floor` +
        (billing.firstImport.calls['Query gsi1 REF#'] && billing.firstImport.calls['GetItem INV#·INVOICE']
          ? '; the payment import, which finds the invoice in gsi1 by its reference, then reads it again from the table (see the payment table).'
          : '.') +
        (run.calls['PutItem CUS#·BILLSTATE']
          ? ` Beyond the floor's one write, each invoice writes the state it hands on (${code('PutItem CUS#·BILLSTATE')}, ` +
            `${fixed(wcu(run.calls['PutItem CUS#·BILLSTATE']) / n, 2)} WCU): the next run reads it with the facilities in one Query, and it records that this ` +
            "run's invoice is done."
          : '') +
        (run.calls['BatchWriteItem CUS#·BILLSTATE']
          ? ` Beyond the floor's one write, each invoice's state (what the next run starts from, and the mark that this run's invoice is done) ` +
            `is written once the page's invoices are: ${fixed(wcu(run.calls['BatchWriteItem CUS#·BILLSTATE']) / n, 2)} WCU per invoice in ` +
            `${fixed(run.calls['BatchWriteItem CUS#·BILLSTATE'].calls / n, 3)} ${code('BatchWriteItem CUS#·BILLSTATE')} calls (25 items a call, with each invoice's payment-reference lookup item).`
          : '') +
        (counter && counterPerInvoice >= 0.5
          ? ` Every invoice also adds 1 to one counter item (${code('UpdateItem COUNTER#·COUNTER')}): one partition takes at most 1,000 ` +
            'WCU a second in DynamoDB, so all segments together can never write more than 1,000 invoices a second, and they contend ' +
            'for that item.'
          : counter
            ? ` Invoice numbers are reserved once per page (${code('UpdateItem COUNTER#·COUNTER')} \`ADD n\`, ${fixed(counterPerInvoice, 3)} per invoice): the ` +
              `counter item's 1,000 writes a second now allow 1,000 pages, ${count(1000 * billing.settings.pageSize)} invoices, a second. Numbers stay unique; ` +
              'one reserved for an invoice that turned out to exist (an interrupted page delivered again, a second run at once) is not used, so the ' +
              'sequence can have gaps (docs/DATA.md).'
            : ''),
    );
  }
  // What is left between the run and its floor.
  const extraCalls = runTotal.calls / n - floorTotal.calls / floor.invoices;
  lines.push(
    `- What is left: ${fixed(extraCalls, 2)} calls per invoice more than the floor (the customer's partition read; the rest is per page), ` +
      `${times(runTotal.rcu / floorTotal.rcu, 0)} its RCU (the floor reads only the customer items, 0.5 RCU per 4 KB of a page; the run also reads every ` +
      `customer's own items, a consistent 1 RCU at least), and ${times(runCpu / n / (floorCpu / floor.invoices), 1)} its CPU per invoice ` +
      `(product ${fixed(run.driverCpuMs / n, 2)} against ${fixed(floor.driverCpuMs / floor.invoices, 2)} ms, DynamoDB ${fixed(run.dynamoCpuMs / n, 2)} against ` +
      `${fixed(floor.dynamoCpuMs / floor.invoices, 2)} ms): every call costs SDK work in the product and a request in dynalite, and the product also ` +
      'drafts each invoice (proration, VAT, the invoice object) where the floor writes a finished one. The run\'s two processes used ' +
      `${fixed(runCpu / run.wallMs, 2)} cores on average and the floor's ${fixed(floorCpu / floor.wallMs, 2)}, of 2 shared with whatever else ran, so ` +
      'the wall-time ratio says less than the CPU ratio. In AWS a page\'s calls overlap (16 customers at a time) and the extra reads and ' +
      'writes are capacity, not waiting. The invoice\'s three index copies (projection ALL) are in the floor too and are not changed here.',
  );
  if (sectionSeconds !== undefined) {
    const minutes = (ms: number) => fixed(ms / 60_000, 1);
    const chunkedMs = billing.chunkedImport?.wallMs ?? 0;
    const imports = billing.firstImport.wallMs + billing.secondImport.wallMs + chunkedMs;
    lines.push(
      `- **Section time**: ${fixed(sectionSeconds / 60, 1)} min at ${full ? 'full size' : 'this size'}` +
        (sectionSeconds / 60 > sizes.budgetMinutes ? `, over the ${sizes.budgetMinutes}-minute budget (bench/run.ts)` : '') +
        `: seeding ${minutes(billing.seed.wallMs)}, the run ${minutes(run.wallMs)}, its floor ${minutes(floor.wallMs)}, the import ` +
        `${minutes(billing.firstImport.wallMs)}, the second import ${minutes(billing.secondImport.wallMs)}` +
        (billing.chunkedImport ? ` and the chunked import ${minutes(chunkedMs)}` : '') +
        ` min. The imports are ${fixed((imports / (sectionSeconds * 1000)) * 100, 0)} % of it: each payment costs ` +
        `${fixed(total(billing.firstImport.calls).calls / billing.file.payments, 1)} DynamoDB calls, one after another, ${defaultBookingLanes} payments at once (below).`,
    );
  }
  const first = billing.firstImport;
  const second = billing.secondImport;
  const payments = billing.file.payments;
  const firstTotal = total(first.calls);
  const secondTotal = total(second.calls);
  const msPerPayment = first.wallMs / payments;
  const callsPerPayment = firstTotal.calls / payments;
  const cores = (first.driverCpuMs + first.dynamoCpuMs) / first.wallMs;
  const lanes = defaultBookingLanes;
  const timeout = billing.httpTimeoutSeconds;
  lines.push(
    `- **Payment import**: ${seconds(first.wallMs)} s for ${count(payments)} payments, ${times(first.wallMs / billing.parse.medianMs, 0)} the ` +
      `${fixed(billing.parse.medianMs, 0)} ms it takes to parse the file; ${fixed(callsPerPayment, 2)} DynamoDB calls per payment ` +
      `(${fixed(msPerPayment, 2)} ms a payment here, ${cpu(first, payments)} ms CPU product + DynamoDB; the two processes used ${fixed(cores, 2)} cores together, ` +
      `the embedded DynamoDB answering one call at a time). Payments to different invoices are booked ${lanes} at once: at a DynamoDB round trip of about 5 ms ` +
      `in AWS a ${count(sizes.fullPayments)}-payment file takes about ${fixed((callsPerPayment * 5 * sizes.fullPayments) / lanes / 60_000, 0)} minutes, ` +
      `and this import runs inside one HTTP request (\`POST /v1/payment-files\`)` +
      (timeout ? ` whose function times out after ${timeout} s (ServiceFunction's default, lib/constructs/service-function.ts)` : '') +
      ` behind a body limit of ${count(billing.maxBodyBytes)} bytes (\`MAX_BODY_BYTES\`): ` +
      `${billing.fullParse ? `the ${count(sizes.fullPayments)}-payment file is ${fixed(billing.fullParse.bytes / 1e6, 1)} MB` : `this file is ${fixed(billing.file.bytes / 1e6, 1)} MB`}; ` +
      `at ${fixed(billing.file.bytes / payments, 0)} bytes a payment, ${count(billing.maxBodyBytes / (billing.file.bytes / payments))} payments fit in a request` +
      (timeout ? `, and in ${timeout} s at 5 ms a call about ${count((timeout * 1000 * lanes) / (callsPerPayment * 5))} can be booked` : '') +
      '. Larger files go by the chunked import (below).',
  );
  lines.push(
    `- **Second import** of the same file: ${count(second.counts.alreadyImported)} of ${count(payments)} already imported, nothing booked twice ` +
      `(${verdict(second.counts.alreadyImported === payments && second.counts.matched === 0 && second.counts.unmatched === 0)}); ` +
      `${seconds(second.wallMs)} s, ${fixed(secondTotal.calls / payments, 2)} calls per payment (one BatchGetItem per 100 payments finds them recorded).`,
  );
  const chunked = billing.chunkedImport;
  if (chunked && billing.chunkedFile) {
    const chunkedPayments = billing.chunkedFile.payments;
    lines.push(
      `- **Chunked import** (large files: upload, \`POST /v1/payment-files/imports\`, chunks): ${seconds(chunked.wallMs)} s for ${count(chunkedPayments)} payments ` +
        `(${fixed(chunkedPayments / (chunked.wallMs / 1000), 0)} a second against ${fixed(payments / (first.wallMs / 1000), 0)} for \`importPayments\`), ${chunked.record.status}; ` +
        `the request's part, reading, hashing, validating the whole file and queuing ${count(chunked.record.chunks)} chunks, took ${fixed(chunked.validateMs / 1000, 2)} s. ` +
        `${fixed(total(chunked.calls).calls / chunkedPayments, 2)} DynamoDB calls per payment; at 5 ms a call, ${chunked.chunkConcurrency} chunks at once of ${defaultBookingLanes} payments at once, ` +
        `a ${count(sizes.fullPayments)}-payment file books in about ${fixed((total(chunked.calls).calls / chunkedPayments) * 5 * sizes.fullPayments / (chunked.chunkConcurrency * defaultBookingLanes) / 60_000, 0)} minutes in AWS ` +
        `if the table keeps up (${fixed(wcu(total(chunked.calls)) / chunkedPayments, 1)} WCU a payment; lib/constructs/payment-imports.ts sizes the concurrency to it), ` +
        'none of it inside an HTTP request.',
    );
  }
  return lines;
}

/**
 * `npm run bench:scale -- --parts winter`: one Swedish consumer's dunning case through a whole
 * winter on a fresh embedded stack, and the size of its items in DynamoDB at the end (issue 11:
 * the case item stays under 10 KB).
 *
 * Through the API as the README's tour goes: tariffs, a consumer with an electricity grid
 * facility (a winter case needs the owner contacted first, R-SE-18) and a water facility, the
 * January billing run off the local clock (the 4th, Arvika), the invoice left unpaid. The clock
 * then moves day by day (`POST /_local/clock {set}` to 08:00 each day: every wait and each
 * morning's overdue scan on the way) from the billing day to April 30, with the day's bank file
 * booked every weekday morning (`POST /v1/payment-files`: one payment with an unknown reference,
 * so the booking-delay guard, R-SE-13, sees a current ledger). Ops answer as they might: the
 * owner contact is left unanswered two days at a time (the case escalates), postponed five days
 * twice, and then the customer asks for a payment plan (a payment-difficulty hold to mid-May), so
 * the case lives the whole winter and into spring. The March run bills again; that invoice goes unpaid too.
 *
 * At the end every item of the case's partition (`DCASE#<caseId>`: the case item `CASE`, its
 * history `HIST#…` and guard records `GUARD#…`, lambdas/adapters/dynamo/dunning-repository.ts)
 * is read straight from the stack's DynamoDB and sized by DynamoDB's rule (attribute names plus
 * values, as test/integration/dunning/bounded.test.ts computes it), with the JSON length of the
 * marshalled item beside it; the execution's history comes from the stack's Step Functions API.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetExecutionHistoryCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { documentClient } from '../lambdas/adapters/dynamo/client.js';
import { buildBgMaxFile } from '../lambdas/domain/payments/bgmax.js';
import { devKeys } from '../local/dev-auth.js';
import { localRegion, localTableName } from '../local/stack.js';
import { spawnStack, swedishPerson, waterFacility, type SpawnedStack } from '../test/integration/support.js';
import { ms, n, writeMarkedSection } from './scale-support.js';
import { itemSize } from '../test/dynamo-item-size.js';

type Item = Record<string, unknown>;

const jsonSize = (item: Item) => Buffer.byteLength(JSON.stringify(marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true })), 'utf8');

export interface WinterCase {
  caseId: string;
  invoiceId: string;
  dueDate: string;
  status: string;
  stages: string[];
  items: number;
  caseItemBytes: number;
  caseItemJsonBytes: number;
  historyItems: number;
  guardItems: number;
  historyCount?: number;
  guardCount?: number;
  largest: { sk: string; bytes: number; jsonBytes: number };
  events: Record<string, number>;
  execution?: { name: string; status: string; events: number; statesEntered: number; taskScheduled: number; stateTransitions: number };
}

export interface WinterResult {
  from: string;
  to: string;
  clockMoves: number;
  bankFiles: number;
  actions: { date: string; action: string; status: number }[];
  main: WinterCase & { atFirstReminder?: { date: string; bytes: number; jsonBytes: number }; growth?: number; maxCaseItemBytes: number; maxCaseItemOn: string };
  others: WinterCase[];
  underTenKB: boolean;
  wallMs: number;
  at: string;
}

const isoDay = (date: string, offset: number) => new Date(Date.parse(`${date}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();

export async function winterPart(options: { log: (line: string) => void; to?: string }): Promise<WinterResult> {
  const { log } = options;
  const started = performance.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'utility-scale-winter-'));
  const keys = await devKeys(join(dataDir, 'dev-signing-key.json'));
  const admin = await keys.sign({ role: 'admin', subject: 'bench-admin' });
  const agent = await keys.sign({ role: 'agent', subject: 'bench-agent' });
  const ops = await keys.sign({ role: 'ops', subject: 'bench-ops' });
  const stack: SpawnedStack = await spawnStack(dataDir, { POWERTOOLS_LOG_LEVEL: 'ERROR', UTILITY_COUNTRY: 'SE' });
  try {
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    const db = documentClient({ AWS_REGION: localRegion, DYNAMODB_ENDPOINT: stack.stack.dynamoEndpoint });
    const call = async (method: string, path: string, opts: Parameters<SpawnedStack['call']>[2] = {}, ok: number[] = [200, 201, 202]) => {
      const res = await stack.call(method, path, opts);
      if (!ok.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)} ${stack.lines.slice(-3).join('')}`);
      return res;
    };
    const setClock = (at: string) => call('POST', '/_local/clock', { body: { set: at } });

    // 1. Prices, the customer and the facilities, in December.
    await setClock('2026-12-15T08:00:00Z');
    for (const [service, tariff] of Object.entries({
      water: { effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 10_000, unitPrice: 2_500, unit: 'm3' },
      waste: { effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 20_000, unitPrice: 0, unit: 'none' },
      electricity_grid: { effectiveFrom: '2026-01-01', currency: 'SEK', fixedPerMonth: 15_000, unitPrice: 45.5, unit: 'kWh' },
    })) await call('PUT', `/v1/tariffs/${service}`, { token: admin, body: tariff });
    const customerId = (await call('POST', '/v1/customers', { token: agent, body: swedishPerson({ name: 'Vinter Vintersson', deliveryChannel: 'email' }) })).body.customerId as string;
    await call('POST', `/v1/customers/${customerId}/facilities`, {
      token: agent,
      body: {
        propertyDesignation: 'Arvika Sågen 1:24', propertyType: 'owner_occupied',
        deliveryAddress: { street: 'Storgatan', number: '3', postalCode: '67131', city: 'Arvika' },
        services: [{ service: 'electricity_grid', startDate: '2026-11-01', meter: { meterId: 'EM-2001', readingMode: 'remote' } }],
      },
    });
    await call('POST', `/v1/customers/${customerId}/facilities`, {
      token: agent,
      body: waterFacility({ services: [
        { service: 'water', startDate: '2026-11-01', expectedAnnualUse: 150, meter: { meterId: 'VM-2001', readingMode: 'mechanical' } },
        { service: 'waste', startDate: '2026-11-01' },
      ] }),
    });

    // 2. The January run, off the local clock (Arvika bills on the 4th), then the invoice.
    let today = '2027-01-05';
    await setClock(`${today}T08:00:00Z`);
    let invoices: { invoiceId: string; runMonth: string; dueDate: string; total: number }[] = [];
    for (let attempt = 0; attempt < 120 && invoices.length === 0; attempt++) {
      invoices = (await call('GET', `/v1/customers/${customerId}/invoices`, { token: agent })).body.items;
      if (invoices.length === 0) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const invoice = invoices.find((i) => i.runMonth === '2027-01');
    if (!invoice) throw new Error(`no January invoice after the run: ${JSON.stringify(invoices)}`);
    const caseIdOf = (invoiceId: string) => `dun_${invoiceId.replace(/^inv_/, '')}`;
    const caseId = caseIdOf(invoice.invoiceId);
    log(`winter: invoice ${invoice.invoiceId}, ${invoice.total} öre, due ${invoice.dueDate}; the case will be ${caseId}`);

    // 3. Day by day to April 30: each weekday's bank file, and ops' answers.
    const to = options.to ?? '2027-04-30';
    const actions: WinterResult['actions'] = [];
    let clockMoves = 0;
    let bankFiles = 0;
    let episodes = 0;
    let awaitingSince: string | undefined;
    let atFirstReminder: { date: string; bytes: number; jsonBytes: number } | undefined;
    let maxCaseItem = { bytes: 0, on: '' };
    while (today < to) {
      today = isoDay(today, 1);
      if (weekday(today) !== 0 && weekday(today) !== 6) {
        // The bank's file is there early in the morning, before the day's steps at 08:00.
        await setClock(`${today}T05:30:00Z`);
        const file = buildBgMaxFile([{ reference: '99999999999', amountOre: 100, payerName: 'Okänd Betalare' }], { bankgiro: '5050-1055', date: today });
        await call('POST', '/v1/payment-files', { token: admin, raw: file as unknown as string, headers: { 'content-type': 'text/plain' } });
        bankFiles++;
        clockMoves++;
      }
      await setClock(`${today}T07:00:00Z`);
      clockMoves++;
      const item = (await db.send(new GetCommand({ TableName: localTableName, Key: { pk: `DCASE#${caseId}`, sk: 'CASE' }, ConsistentRead: true }))).Item;
      if (!item) continue;
      const bytes = itemSize(item);
      if (bytes > maxCaseItem.bytes) maxCaseItem = { bytes, on: today };
      const completed = (item.completed as { stage: string }[] | undefined) ?? [];
      if (!atFirstReminder && completed.some((step) => step.stage === 'reminder_1')) {
        atFirstReminder = { date: today, bytes, jsonBytes: jsonSize(item) };
        log(`winter: ${today} the reminder: case item ${bytes} bytes`);
      }
      if (item.status === 'awaiting_owner_contact') {
        awaitingSince ??= today;
        const waited = (Date.parse(today) - Date.parse(awaitingSince)) / 86_400_000;
        const answer = async (action: string, path: string, body: unknown) => {
          const res = await stack.call('POST', path, { token: ops, body });
          actions.push({ date: today, action, status: res.status });
          log(`winter: ${today} ${action}: ${res.status}${res.status >= 300 ? ` ${JSON.stringify(res.body)}` : ''}`);
          return res;
        };
        // Ops reach the owner after two days, who asks for five days more, twice (the season ends on
        // March 31); then the customer asks for a payment plan: a payment-difficulty hold to mid-May.
        if (episodes < 2 && waited >= 2) {
          const res = await answer('owner contact: postponed 5 days', `/v1/dunning-cases/${caseId}/owner-contact`, {
            outcome: 'postpone', note: episodes === 0 ? 'Ägaren bortrest, ring igen.' : 'Ägaren vill ordna betalning först.', until: isoDay(today, 5),
          });
          if (res.status < 300) (episodes++, (awaitingSince = undefined));
        } else if (episodes === 2 && waited >= 1) {
          const res = await answer('hold: payment difficulty to 2027-05-14', `/v1/dunning-cases/${caseId}/holds`, { reason: 'payment_difficulty', until: '2027-05-14', note: 'Avbetalningsplan, första delen i maj.' });
          if (res.status < 300) episodes++;
        }
      } else {
        awaitingSince = undefined;
      }
      if (weekday(today) === 1) log(`winter: ${today} case ${String(item.status)}, item ${bytes} bytes, next ${JSON.stringify(item.next ?? null)}`);
    }

    // 4. The case's items, straight from DynamoDB, and its execution's history.
    const sfnEndpoint = /Step Functions\s+(http:\/\/\S+)/.exec(stack.lines.join(''))?.[1];
    const sfn = sfnEndpoint ? new SFNClient({ region: localRegion, endpoint: sfnEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }) : undefined;
    const describe = async (invoiceId: string, dueDate: string): Promise<WinterCase | undefined> => {
      const id = caseIdOf(invoiceId);
      const items: Item[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(new QueryCommand({
          TableName: localTableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `DCASE#${id}` }, ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }));
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      const caseItem = items.find((item) => item.sk === 'CASE');
      if (!caseItem) return undefined;
      const sized = items.map((item) => ({ sk: String(item.sk), bytes: itemSize(item), jsonBytes: jsonSize(item) })).sort((a, b) => b.bytes - a.bytes);
      const shown = (await call('GET', `/v1/dunning-cases/${id}`, { token: ops })).body as { history?: { event: string }[]; executionArn?: string; executionName?: string };
      const events: Record<string, number> = {};
      for (const e of shown.history ?? []) events[e.event] = (events[e.event] ?? 0) + 1;
      let execution: WinterCase['execution'];
      if (sfn && shown.executionArn) {
        const history: HistoryEvent[] = [];
        let nextToken: string | undefined;
        do {
          const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn: shown.executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
          history.push(...(page.events ?? []));
          nextToken = page.nextToken;
        } while (nextToken);
        const statesEntered = history.filter((e) => e.type?.endsWith('StateEntered')).length;
        const taskEntered = history.filter((e) => e.type === 'TaskStateEntered').length;
        const taskScheduled = history.filter((e) => e.type === 'TaskScheduled').length;
        const status = (await call('GET', `/_local/executions/${encodeURIComponent(shown.executionName ?? invoiceId)}`, {}, [200, 404])).body?.status ?? '?';
        // As section 5 counts them: one per state entered, plus one per task retry.
        execution = { name: shown.executionName ?? invoiceId, status: String(status), events: history.length, statesEntered, taskScheduled, stateTransitions: statesEntered + Math.max(0, taskScheduled - taskEntered) };
      }
      return {
        caseId: id, invoiceId, dueDate, status: String(caseItem.status), stages: ((caseItem.completed as { stage: string; takenOn: string }[] | undefined) ?? []).map((s) => `${s.stage} ${s.takenOn}`),
        items: items.length, caseItemBytes: itemSize(caseItem), caseItemJsonBytes: jsonSize(caseItem),
        historyItems: items.filter((item) => String(item.sk).startsWith('HIST#')).length, guardItems: items.filter((item) => String(item.sk).startsWith('GUARD#')).length,
        ...(typeof caseItem.historyCount === 'number' ? { historyCount: caseItem.historyCount } : {}),
        ...(typeof caseItem.guardCount === 'number' ? { guardCount: caseItem.guardCount } : {}),
        largest: sized[0]!, events, ...(execution ? { execution } : {}),
      };
    };
    const main = await describe(invoice.invoiceId, invoice.dueDate);
    if (!main) throw new Error(`no case ${caseId} in DynamoDB at the end (the invoice was due ${invoice.dueDate}); ${stack.lines.slice(-5).join('')}`);
    invoices = (await call('GET', `/v1/customers/${customerId}/invoices`, { token: agent })).body.items;
    const others = (await Promise.all(invoices.filter((i) => i.invoiceId !== invoice.invoiceId).map((i) => describe(i.invoiceId, i.dueDate)))).filter((c) => c !== undefined);
    const largest = Math.max(main.largest.bytes, ...others.map((c) => c.largest.bytes));
    return {
      from: '2027-01-05', to, clockMoves, bankFiles, actions,
      main: {
        ...main, ...(atFirstReminder ? { atFirstReminder, growth: +(main.caseItemBytes / atFirstReminder.bytes).toFixed(2) } : {}),
        maxCaseItemBytes: maxCaseItem.bytes, maxCaseItemOn: maxCaseItem.on,
      },
      others, underTenKB: largest < 10 * 1024 && maxCaseItem.bytes < 10 * 1024, wallMs: ms(started), at: new Date().toISOString(),
    };
  } finally {
    await stack.stop();
  }
}

export function writeWinterSection(r: WinterResult): void {
  const m = r.main;
  const kb = (bytes: number) => `${n(bytes)} B`;
  const row = (label: string, c: WinterCase) =>
    `| ${label} | ${c.dueDate} | ${c.status} | ${c.stages.join(', ') || '—'} | ${c.items} (${c.historyItems} HIST#, ${c.guardItems} GUARD#) | ${kb(c.caseItemBytes)} (JSON ${kb(c.caseItemJsonBytes)}) | \`${c.largest.sk}\` ${kb(c.largest.bytes)} | ${c.execution ? `${c.execution.stateTransitions} (${c.execution.status})` : '?'} |`;
  const topEvents = Object.entries(m.events).sort((a, b) => b[1] - a[1]).map(([event, count]) => `${event} ${count}`).join(', ');
  const body = `
## Scale: a Swedish dunning case through a whole winter (\`npm run bench:scale -- --parts winter\`)

Measured ${r.at.slice(0, 10)} on a fresh \`npm start\` (${(r.wallMs / 1000).toFixed(0)} s). A consumer in Arvika with an electricity grid facility (in winter the grid is not cut before ops have talked to the property owner, R-SE-18) and a water facility (water, waste), billed by the January run off the local clock (the 4th), left unpaid. The clock then moved day by day from ${r.from} to ${r.to} (${r.clockMoves} moves of \`POST /_local/clock\`), with the day's bank file booked every weekday morning (${r.bankFiles} files, one payment with an unknown reference each, so the ledger is current for the booking-delay guard). Ops answered: ${r.actions.map((a) => `${a.date} ${a.action} (${a.status})`).join('; ') || 'nothing'}. The March run billed again; that invoice went unpaid too.

At the end every item of each case's partition (\`DCASE#<caseId>\`: \`CASE\`, \`HIST#…\`, \`GUARD#…\`) was read straight from the stack's DynamoDB and sized by DynamoDB's rule (attribute names plus values, as test/integration/dunning/bounded.test.ts computes it; the JSON length of the marshalled item, type tags and quotes included, beside it). State transitions are counted as in section 5, from the execution's history (GetExecutionHistory on the stack's Step Functions endpoint).

| case | due | status at the end | steps taken | items | case item | largest item | state transitions (execution) |
|---|---|---|---|--:|--:|---|--:|
${[row('January invoice (the winter case)', m), ...r.others.map((c) => row('March invoice', c))].join('\n')}

The winter case's item: ${m.atFirstReminder ? `${kb(m.atFirstReminder.bytes)} at its first reminder (${m.atFirstReminder.date}), ${kb(m.caseItemBytes)} on ${r.to}: **growth ${m.growth}×**` : `${kb(m.caseItemBytes)} on ${r.to}`}; its largest on any morning ${kb(m.maxCaseItemBytes)} (${m.maxCaseItemOn}). Its history holds ${n(m.historyCount ?? m.historyItems)} events as ${m.historyItems} items of their own (${topEvents}) and ${m.guardItems} guard records. ${m.status === 'awaiting_owner_contact' && r.to > '2027-03-31' ? `The case was still \`awaiting_owner_contact\` on ${r.to}, a month after the season's end (March 31): the hold did not answer the owner-contact wait, and the wait did not end with the season. ` : ''}**Every case item stayed under 10 KB: ${r.underTenKB ? 'yes' : 'NO'}** (issue 11's done-when; DynamoDB's limit is 400 KB).
`;
  writeMarkedSection('scale-winter', body, ['scale-payments', 'scale']);
}

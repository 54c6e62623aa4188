/**
 * Dunning (section 5): each path of the ladder on the embedded stack, the monthly AWS cost per
 * 10,000 customers computed from what the paths counted, and many concurrent open cases moved
 * one month by one clock move, against two floors. Each part runs the embedded stack in a
 * child process of its own (bench/dunning-driver.ts), with the utility's country in its
 * environment (the task function reads UTILITY_COUNTRY at cold start, as in AWS).
 *
 * The scale scenario runs at `scaleCases` (DUNNING_SCALE_CASES overrides it). A run at the
 * issue's 10,000 or more is also kept in bench/.out/results/dunning-full.json; a later run at
 * a smaller size shows it beside its own (with its date).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fromRepoRoot, repoRoot } from '../lib/paths.js';
import { functionSettings } from '../lib/function-settings.js';
import { outDir } from './cold-start.js';
import { runDriverProcess } from './scenario-process.js';
import type { DunningDriverArgs, ExperimentResult, PathPlan, PathsArgs, PathsResult, ScaleArgs, ScaleResult } from './dunning-driver.js';

/** List prices used for the cost (USD). */
export interface Prices {
  readonly region: string;
  readonly stepFunctionsPer1000Transitions: number;
  readonly lambdaPerGbSecond: number;
  readonly lambdaPerMillionRequests: number;
  readonly dynamoPerMillionWru: number;
  readonly dynamoPerMillionRru: number;
  /** Where each price comes from, for the report. */
  readonly sources: readonly string[];
}

/** What the cost model assumes beyond what the bench counts. */
export interface CountryAssumptions {
  readonly country: 'SE' | 'FI';
  readonly utility: string;
  /** Invoices per customer and month (the billing cycle). */
  readonly invoicesPerCustomerMonth: number;
  readonly invoicesBasis: string;
  /** Share of invoices still unpaid the day after the due date (the scan opens a case). */
  readonly overdueShare: number;
  /** Share of the overdue cases that end on each path (keys of the country's paths); sums to 1. */
  readonly funnel: Readonly<Record<string, number>>;
  /** Months a disconnected case stays unpaid (the daily scan reads each one every day until paid). */
  readonly disconnectedMonths: number;
}

export interface CostAssumptions {
  readonly customers: number;
  readonly prices: Prices;
  /** The task function's and the scan function's memory (MB), read from lib/constructs/dunning-workflow.ts. */
  readonly taskMemoryMb: number;
  readonly scanMemoryMb: number;
  /** A DynamoDB round trip from Lambda (ms), for the Lambda duration in AWS. */
  readonly roundTripMs: number;
  /** A StartExecution call from the scan (ms). */
  readonly startExecutionMs: number;
  readonly overdueBasis: string;
  readonly funnelBasis: string;
  readonly countries: readonly CountryAssumptions[];
}

export interface DunningSettings {
  readonly se: Omit<PathsArgs, 'mode' | 'country' | 'zone'>;
  readonly fi: Omit<PathsArgs, 'mode' | 'country' | 'zone'>;
  readonly scaleCases: number;
  /** The issue's size. */
  readonly issueCases: number;
  readonly scaleDueDate: string;
  readonly advance: string;
  readonly sampleMs: number;
  /** The profiled pass (a smaller run of the same move with a V8 CPU profile). */
  readonly profileCases: number;
  /** The experiment (the same month on a runner with its in-memory store): at most this many cases. */
  readonly experimentCases: number;
  readonly cost: CostAssumptions;
}

export interface DunningResult {
  readonly settings: DunningSettings;
  readonly se: PathsResult;
  readonly fi: PathsResult;
  readonly scale: ScaleResult;
  readonly profile?: ScaleResult;
  readonly experiment?: ExperimentResult;
  /** A run at the issue's size from an earlier bench, when this one ran smaller. */
  readonly full?: { readonly value: ScaleResult; readonly measuredAt: string; readonly seconds: number };
  readonly scaleSeconds: number;
}

const fiber = (net: number) => [{ service: 'fiber' as const, net }];
const finnishWater = [{ service: 'water' as const, net: 13_546, vatRate: 25.5 }]; // 170.00 EUR with 25.5 % VAT

const sePaths: PathPlan[] = [
  { key: 'on-time', label: 'paid on time (before the due date)', lines: fiber(39_900), currency: 'SEK', dueDate: '2027-04-30', paidOn: '2027-04-28' },
  { key: 'after-reminder', label: 'paid after the reminder', lines: fiber(39_900), currency: 'SEK', dueDate: '2027-04-30', paidOn: '2027-05-12' },
  { key: 'after-collection', label: 'paid after collection', lines: fiber(39_900), currency: 'SEK', dueDate: '2027-04-30', paidOn: '2027-05-24' },
  { key: 'after-notice', label: 'paid after the disconnection letter, before the cut', lines: fiber(39_900), currency: 'SEK', dueDate: '2027-04-30', paidOn: '2027-06-08' },
  { key: 'full', label: 'never paid: fiber to a disconnection work order', lines: fiber(39_900), currency: 'SEK', dueDate: '2027-04-30' },
];

const fiPaths: PathPlan[] = [
  { key: 'on-time', label: 'paid on time (before the due date)', lines: finnishWater, currency: 'EUR', dueDate: '2027-03-31', paidOn: '2027-03-26' },
  { key: 'after-reminder-1', label: 'paid after reminder 1', lines: finnishWater, currency: 'EUR', dueDate: '2027-03-31', paidOn: '2027-04-20' },
  { key: 'after-reminder-2', label: 'paid after reminder 2, before the cut', lines: finnishWater, currency: 'EUR', dueDate: '2027-03-31', paidOn: '2027-05-10' },
  { key: 'full', label: 'never paid: water at 170.00 EUR to disconnection and enforcement', lines: finnishWater, currency: 'EUR', dueDate: '2027-03-31' },
];

export function dunningSettings(): DunningSettings {
  const fromEnv = Number(process.env.DUNNING_SCALE_CASES);
  return {
    se: { start: '2027-04-01', firstFile: '2027-04-26', extraDays: 5, until: '2027-09-30', paths: sePaths },
    fi: { start: '2027-03-01', firstFile: '2027-03-26', extraDays: 5, until: '2027-09-30', paths: fiPaths },
    // The issue's size: its scenario (seeding, the start, the move, both floors) took 14.7
    // minutes on this 2-core machine (2026-11-23); DUNNING_SCALE_CASES runs a smaller one.
    scaleCases: Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 10_000,
    issueCases: 10_000,
    scaleDueDate: '2027-04-30',
    advance: 'P1M',
    sampleMs: 2_000,
    profileCases: 300,
    experimentCases: 2_000,
    cost: {
      customers: 10_000,
      prices: {
        region: 'eu-north-1 (Step Functions); us-east-1 (Lambda, DynamoDB)',
        stepFunctionsPer1000Transitions: 0.025,
        lambdaPerGbSecond: 0.0000133334,
        lambdaPerMillionRequests: 0.2,
        dynamoPerMillionWru: 0.625,
        dynamoPerMillionRru: 0.125,
        sources: [
          'Step Functions Standard: $0.0250 per 1,000 state transitions in Europe (Stockholm), as in US East (aws.amazon.com/step-functions/pricing, its table by region); "each retry will be charged as an additional state transition"',
          'Lambda arm64: $0.0000133334 per GB-second and $0.20 per million requests (us-east-1 list price; the eu-north-1 price was not found in the docs searched, so it is not claimed here)',
          'DynamoDB on-demand, Standard table class: $0.625 per million write request units and $0.125 per million read request units (us-east-1 list price after the November 2024 reduction; eu-north-1 not found)',
          'no free tier counted (Step Functions has 4,000 transitions a month free; Lambda 1 M requests and 400,000 GB-s)',
        ],
      },
      taskMemoryMb: functionSettings.dunningTasks.memoryMb,
      scanMemoryMb: functionSettings.overdueScan.memoryMb,
      roundTripMs: 5,
      startExecutionMs: 25,
      overdueBasis:
        'an assumption, not a measured or published figure for these utilities: 5 % of invoices still unpaid the morning after the due date (no source for Teknik i Väst or Keuruun Vesi was found; the cost is linear in it, so the table also gives 2 % and 10 %)',
      funnelBasis: 'an assumption: most overdue invoices are paid after the first letter; a few per cent reach the cut',
      countries: [
        {
          country: 'SE',
          utility: 'Teknik i Väst',
          invoicesPerCustomerMonth: 0.5,
          invoicesBasis: 'consumption every other month (R-SE-11; the billing profile\'s bimonthly cycle); customers billed monthly (retail electricity, fiber) would double it',
          overdueShare: 0.05,
          funnel: { 'after-reminder': 0.7, 'after-collection': 0.2, 'after-notice': 0.07, full: 0.03 },
          disconnectedMonths: 12,
        },
        {
          country: 'FI',
          utility: 'Keuruun Vesi',
          invoicesPerCustomerMonth: 1 / 3,
          invoicesBasis: 'every three months (R-FI-3)',
          overdueShare: 0.05,
          funnel: { 'after-reminder-1': 0.75, 'after-reminder-2': 0.2, full: 0.05 },
          disconnectedMonths: 12,
        },
      ],
    },
  };
}

/** Runs the driver in a child process with the country's environment; its progress lines are passed on. */
const runDriver = <T>(args: DunningDriverArgs, env: Record<string, string>, label: string): Promise<T> =>
  runDriverProcess<T>('bench/dunning-driver.ts', args, label, { heapMb: 8192, env });

const swedish = { UTILITY_COUNTRY: 'SE', UTILITY_ZONE: 'Europe/Stockholm', UTILITY_LANGUAGE: 'sv' };
const finnish = { UTILITY_COUNTRY: 'FI', UTILITY_ZONE: 'Europe/Helsinki', UTILITY_LANGUAGE: 'fi' };

const fullFile = join(outDir, 'results', 'dunning-full.json');

export async function measureDunning(settings: DunningSettings): Promise<DunningResult> {
  const se = await runDriver<PathsResult>({ mode: 'paths', country: 'SE', zone: swedish.UTILITY_ZONE, ...settings.se }, swedish, 'dunning SE paths');
  const fi = await runDriver<PathsResult>({ mode: 'paths', country: 'FI', zone: finnish.UTILITY_ZONE, ...settings.fi }, finnish, 'dunning FI paths');
  const scaleArgs: ScaleArgs = { mode: 'scale', cases: settings.scaleCases, dueDate: settings.scaleDueDate, advance: settings.advance, sampleMs: settings.sampleMs };
  const scaleStarted = performance.now();
  const scale = await runDriver<ScaleResult>(scaleArgs, swedish, `dunning ${settings.scaleCases.toLocaleString('en-US')} cases`);
  const scaleSeconds = (performance.now() - scaleStarted) / 1000;
  const experimentCases = Math.min(settings.scaleCases, settings.experimentCases);
  const experiment = await runDriver<ExperimentResult>(
    { mode: 'store-experiment', cases: experimentCases, dueDate: settings.scaleDueDate, advance: settings.advance, sampleMs: settings.sampleMs },
    swedish,
    `dunning experiment (${experimentCases.toLocaleString('en-US')} cases, in-memory store)`,
  );
  const profileDir = join(tmpdir(), `dunning-profile-${process.pid}`);
  mkdirSync(profileDir, { recursive: true });
  let profile: ScaleResult | undefined;
  try {
    profile = await runDriver<ScaleResult>(
      { ...scaleArgs, cases: settings.profileCases, profileFile: join(profileDir, 'move.cpuprofile'), noFloors: true },
      swedish,
      `dunning profiled pass (${settings.profileCases} cases)`,
    );
  } finally {
    rmSync(profileDir, { recursive: true, force: true });
  }
  const measuredAt = new Date().toISOString();
  let full: DunningResult['full'];
  if (settings.scaleCases >= settings.issueCases) {
    mkdirSync(join(outDir, 'results'), { recursive: true });
    writeFileSync(fullFile, JSON.stringify({ value: scale, measuredAt, seconds: scaleSeconds }));
  } else if (existsSync(fullFile)) {
    try {
      full = JSON.parse(readFileSync(fullFile, 'utf8')) as DunningResult['full'];
    } catch {
      full = undefined;
    }
  }
  return { settings, se, fi, scale, experiment, ...(profile ? { profile } : {}), ...(full ? { full } : {}), scaleSeconds };
}

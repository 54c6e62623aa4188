/**
 * Cold start per Lambda bundle: each route group's entry bundled as CDK bundles it, and a
 * floor bundle (bench/floor-handler.ts: the SDK clients only), each imported by fresh
 * `node` processes that time `await import(bundle)`. A second, profiled series
 * (`--cpu-prof`) splits that time by what it was spent on.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { routeGroups } from '../lambdas/http/routes.js';
import { bundleAliases, esmRequireBanner } from '../lib/constructs/service-function.js';
import { fromRepoRoot, repoRoot } from '../lib/paths.js';
import { bucketProfile, packageOf, runtimeBucket, type CallFrame } from './cpu-profile.js';
import { lambdaEnv } from './lambda-env.js';
import { median, percentile } from './stats.js';

const run = promisify(execFile);

export const outDir = fileURLToPath(new URL('./.out/', import.meta.url));
const runner = fileURLToPath(new URL('./init-runner.mjs', import.meta.url));

export interface ColdStartResult {
  readonly name: string;
  readonly entry: string;
  readonly bundleBytes: number;
  /** Bytes in the bundle per package (`service code`: the repository's own files). */
  readonly bytesByPackage: ReadonlyMap<string, number>;
  readonly initMs: readonly number[];
  readonly median: number;
  readonly p90: number;
  /** Mean milliseconds per bucket over the profiled runs (profiler overhead included). */
  readonly profileMs: ReadonlyMap<string, number>;
  /** Set when the bundle failed to initialise: its error, and no timings. */
  readonly error?: string;
}

export interface ColdStartReport {
  readonly runs: number;
  readonly profiledRuns: number;
  readonly floor: ColdStartResult;
  readonly bundles: readonly ColdStartResult[];
}

/**
 * esbuild with the options CDK's NodejsFunction passes for ServiceFunction's `bundling`
 * (lib/constructs/service-function.ts). They are not exported as one object, so they are
 * mirrored here (the banner is imported): keep the two in step. CDK's command is
 * `esbuild --bundle <entry> --target=node22 --platform=node --format=esm
 * --outfile=index.mjs --minify --sourcemap --sources-content=false
 * --banner:js=... --main-fields=module,main --alias:moment-timezone=...`, with no --external (SDK bundled).
 * `metafile` only adds the size report; it does not change the output.
 */
async function bundle(name: string, entry: string): Promise<{ path: string; metafile: Metafile }> {
  const outfile = join(outDir, name, 'index.mjs');
  const { metafile } = await build({
    entryPoints: [fromRepoRoot(entry)],
    absWorkingDir: repoRoot,
    outfile,
    bundle: true,
    target: 'node22',
    platform: 'node',
    format: 'esm',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    banner: { js: esmRequireBanner },
    alias: { ...bundleAliases },
    mainFields: ['module', 'main'],
    external: [],
    metafile: true,
    logLevel: 'silent', // a failure is reported in BENCHMARKS.md
  });
  return { path: outfile, metafile };
}

function bytesByPackage(metafile: Metafile): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      // zod's locales are their own row: every bundle carries them, none uses them.
      const name = input.includes('node_modules/zod/v4/locales/') ? 'zod/v4/locales' : (packageOf(input) ?? 'service code');
      sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return sizes;
}

interface InitRun {
  initMs: number;
  fromUs: number;
  toUs: number;
}

async function initOnce(bundlePath: string, nodeFlags: string[] = []): Promise<InitRun> {
  const { stdout } = await run(process.execPath, [...nodeFlags, runner, bundlePath], { env: lambdaEnv, cwd: outDir });
  return JSON.parse(stdout) as InitRun;
}

/** Buckets a cold start's samples: compile, source map, each package's module code, runtime. */
function coldStartClassifier(bundlePath: string): (stack: CallFrame[]) => string {
  const map = new SourceMap(JSON.parse(readFileSync(`${bundlePath}.map`, 'utf8')));
  const bundleUrl = pathToFileURL(bundlePath).href;
  return (stack) => {
    if (stack.some((frame) => frame.functionName === 'maybeCacheSourceMap')) return 'read + index the source map (--enable-source-maps)';
    if (stack.some((frame) => frame.functionName === 'compileSourceTextModule')) return 'V8 parse + compile of the bundle';
    const own = stack.find((frame) => frame.url === bundleUrl);
    if (!own) return runtimeBucket(stack[0], 'Node.js: built-in modules (http, crypto, undici, ...), ESM loader');
    const entry = map.findEntry(own.lineNumber, own.columnNumber);
    const source = 'originalSource' in entry ? entry.originalSource : undefined;
    if (!source) return 'run: top-level statements (not attributable)';
    return `run: ${packageOf(source) ?? 'service code'}`;
  };
}

async function profileInit(name: string, bundlePath: string, runs: number): Promise<Map<string, number>> {
  const dir = join(outDir, 'profiles', `cold-${name}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const classify = coldStartClassifier(bundlePath);
  const totals = new Map<string, number>();
  for (let i = 0; i < runs; i++) {
    const window = await initOnce(bundlePath, ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir]);
    const [file] = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    for (const [bucket, us] of bucketProfile(join(dir, file!), classify, window)) {
      totals.set(bucket, (totals.get(bucket) ?? 0) + us / 1000 / runs);
    }
    rmSync(join(dir, file!));
  }
  return totals;
}

/** esbuild's first error with its place, for the report. */
function buildError(error: unknown): string {
  const [first] = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors ?? [];
  if (!first) return String(error);
  return first.location ? `${first.text} (${first.location.file}:${first.location.line})` : first.text;
}

/** The first line of a failed init's error, for the report. */
function initError(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr ?? String(error);
  return stderr.split('\n').find((line) => /^\w*Error\b/.test(line)) ?? stderr.trim().split('\n')[0] ?? 'failed';
}

export async function measureColdStart(runs = 20, warmups = 2, profiledRuns = 10): Promise<ColdStartReport> {
  mkdirSync(outDir, { recursive: true });
  const targets = [
    { name: 'floor', entry: 'bench/floor-handler.ts' },
    ...Object.entries(routeGroups).map(([name, { entry }]) => ({ name, entry })),
  ];
  const built: { name: string; entry: string; path: string; metafile?: Metafile; initMs: number[]; error?: string }[] = [];
  for (const target of targets) {
    try {
      built.push({ ...target, ...(await bundle(target.name, target.entry)), initMs: [] });
    } catch (error) {
      if (target.name === 'floor') throw error;
      built.push({ ...target, path: '', initMs: [], error: `bundling failed: ${buildError(error)}` }); // reported; the others go on
    }
  }

  // Interleaved, one process at a time, so drift on the machine hits every bundle alike.
  for (let round = 0; round < warmups + runs; round++) {
    for (const target of built.filter((candidate) => !candidate.error)) {
      try {
        const { initMs } = await initOnce(target.path);
        if (round >= warmups) target.initMs.push(initMs);
      } catch (error) {
        target.error = `init failed: ${initError(error)}`; // reported; the others go on
      }
    }
  }

  const results: ColdStartResult[] = [];
  for (const { name, entry, path, metafile, initMs, error } of built) {
    results.push({
      name,
      entry,
      bundleBytes: Object.values(metafile?.outputs ?? {}).find((output) => output.entryPoint)?.bytes ?? Number.NaN,
      bytesByPackage: metafile ? bytesByPackage(metafile) : new Map(),
      initMs,
      median: median(initMs),
      p90: percentile(initMs, 90),
      profileMs: error ? new Map() : await profileInit(name, path, profiledRuns),
      ...(error ? { error } : {}),
    });
  }
  return { runs, profiledRuns, floor: results[0]!, bundles: results.slice(1) };
}

/**
 * Runs a use-case benchmark (alerts, billing) as two child processes: a DynamoDB of its own
 * (bench/dynamo-server.mjs, dynalite in memory) and the driver, which calls the product's
 * use-cases against it and prints its result as JSON on stdout. Neither shares an event loop
 * with the other or with the bench. The driver's progress lines (stderr) are passed on.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ProgressBar } from '../local/progress.js';
import { repoRoot } from '../lib/paths.js';

export interface DriverArgs<Settings> {
  readonly endpoint: string;
  /** For the driver to read the DynamoDB process's CPU time from /proc. */
  readonly dynamoPid: number;
  readonly settings: Settings;
}

/**
 * Runs a bench driver (`node --import tsx <driver> '<args as JSON>'`) in a child process of its
 * own: passes its progress lines (stderr lines starting "progress ") on, and returns what it
 * printed on stdout, parsed; throws with its last stderr lines when it exits with an error.
 */
export async function runDriverProcess<Result>(
  driver: string,
  args: unknown,
  label: string,
  options: { heapMb: number; env?: Readonly<Record<string, string>> },
): Promise<Result> {
  const child = spawn(process.execPath, [`--max-old-space-size=${options.heapMb}`, '--import', 'tsx', driver, JSON.stringify(args)], {
    cwd: repoRoot,
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'eu-north-1', POWERTOOLS_LOG_LEVEL: 'WARN', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  const errors: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  // A driver's counts (`count\t<what>\t<done>\t<total>`) as one progress bar each, finished when the driver says anything else.
  const bars = new Map<string, { bar: ProgressBar; done: number; total: number | undefined }>();
  const finishBars = () => {
    for (const { bar, done, total } of bars.values()) bar.finish(done, total);
    bars.clear();
  };
  createInterface({ input: child.stderr }).on('line', (line) => {
    if (line.startsWith('count\t')) {
      const [, what = '', done = '0', total = ''] = line.split('\t');
      const entry = bars.get(what) ?? { bar: new ProgressBar(`  ${label}:`, { unit: what, stream: process.stdout }), done: 0, total: undefined };
      entry.done = Number(done);
      entry.total = total === '' ? undefined : Number(total);
      bars.set(what, entry);
      entry.bar.update(entry.done, entry.total);
    } else if (line.startsWith('progress ')) {
      finishBars();
      console.log(`  ${label}: ${line.slice(9)}`);
    } else errors.push(line);
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  finishBars();
  if (code !== 0) throw new Error(`the ${label} driver exited with ${code}:\n${errors.slice(-20).join('\n')}`);
  return JSON.parse(stdout) as Result;
}

export async function runScenario<Settings, Result>(driver: string, settings: Settings, label: string): Promise<Result> {
  // dynalite keeps every item and index entry on its heap: give it room for half a million.
  const dynamo = spawn(process.execPath, ['--max-old-space-size=8192', 'bench/dynamo-server.mjs'], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: dynamo.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
      dynamo.once('exit', (code) => reject(new Error(`the DynamoDB process exited (${code}) before listening`)));
    });
    const args: DriverArgs<Settings> = { endpoint: `http://127.0.0.1:${port}`, dynamoPid: dynamo.pid!, settings };
    return await runDriverProcess<Result>(driver, args, label, { heapMb: 6144 });
  } finally {
    if (dynamo.exitCode === null) {
      const exited = once(dynamo, 'exit');
      dynamo.kill('SIGTERM');
      await exited;
    }
  }
}

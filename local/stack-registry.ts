/**
 * Which data folder the stack on a port uses, so `npm run token` signs with that stack's key
 * whatever `DATA_DIR` it was started with (a file per port in the system's temp folder).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const registry = () => join(tmpdir(), 'nordic-utility-stacks');
const fileFor = (port: number) => join(registry(), `${port}.json`);

export function registerStack(port: number, dataDir: string): void {
  mkdirSync(registry(), { recursive: true });
  writeFileSync(fileFor(port), JSON.stringify({ dataDir, pid: process.pid }));
}

export function unregisterStack(port: number): void {
  rmSync(fileFor(port), { force: true });
}

/** The data folder of the stack running on `port`, if one registered and its process lives. */
export function registeredDataDir(port: number): string | undefined {
  try {
    const { dataDir, pid } = JSON.parse(readFileSync(fileFor(port), 'utf8')) as { dataDir?: unknown; pid?: unknown };
    if (typeof dataDir !== 'string' || typeof pid !== 'number') return undefined;
    process.kill(pid, 0); // throws when that process is gone
    return dataDir;
  } catch {
    return undefined;
  }
}

// One cold start: the time to import (load, compile, evaluate) the bundle given as argv[2].
// Also prints the monotonic window in microseconds, to cut a --cpu-prof profile to it.
import { pathToFileURL } from 'node:url';

const url = pathToFileURL(process.argv[2]).href;
const fromUs = Number(process.hrtime.bigint() / 1000n);
const started = performance.now();
const module = await import(url);
const initMs = performance.now() - started;
const toUs = Number(process.hrtime.bigint() / 1000n);
if (typeof module.handler !== 'function') throw new Error(`${url} exports no handler`);
process.stdout.write(JSON.stringify({ initMs, fromUs, toUs }));

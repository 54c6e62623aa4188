/** Reads V8 .cpuprofile files (node --cpu-prof) and sums sampled time into named buckets. */
import { readFileSync } from 'node:fs';

export interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
  readonly columnNumber: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A time window in microseconds of the monotonic clock (process.hrtime.bigint() / 1000). */
export interface Window {
  readonly fromUs: number;
  readonly toUs: number;
}

/**
 * Microseconds per bucket over the samples inside `window` (all if none). `classify`
 * gets each sample's stack, innermost frame first.
 */
export function bucketProfile(file: string, classify: (stack: CallFrame[]) => string, window?: Window): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const bucketOfNode = new Map<number, string>();
  const buckets = new Map<string, number>();
  let time = profile.startTime;
  profile.samples.forEach((id, i) => {
    time += profile.timeDeltas[i] ?? 0;
    if (window && (time < window.fromUs || time > window.toUs)) return;
    let bucket = bucketOfNode.get(id);
    if (bucket === undefined) {
      const stack: CallFrame[] = [];
      for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) stack.push(nodes.get(node)!.callFrame);
      bucket = classify(stack);
      bucketOfNode.set(id, bucket);
    }
    // A sample stands for the time until the next one.
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  });
  return buckets;
}

/** `node_modules/<package>` of a file path or URL, if any. */
export function packageOf(path: string): string | undefined {
  return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
}

/** The bucket of the runtime's own pseudo-frames, else `fallback`, for stacks nothing else claimed. */
export function runtimeBucket(leaf: CallFrame | undefined, fallback: string): string {
  switch (leaf?.functionName) {
    case '(garbage collector)':
      return 'GC';
    case '(idle)':
      return 'idle';
    case '(program)':
      return 'native code outside JS';
    default:
      return fallback;
  }
}

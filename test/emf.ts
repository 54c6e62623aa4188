/**
 * Business metrics as CloudWatch would receive them: a Powertools Metrics writing EMF lines to
 * stdout, captured and parsed. For the tests of lambdas/adapters/observability.ts and of the
 * use-cases that count (issue 14).
 */
import { jest } from '@jest/globals';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { PowertoolsBusinessMetrics } from '../lambdas/adapters/observability.js';

export const testNamespace = 'NordicUtility/test';

/** One EMF document: the `_aws` metadata, the dimensions' and the metrics' values. */
export type EmfLine = { _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } } & Record<string, unknown>;

export interface EmfCapture {
  readonly metrics: Metrics;
  readonly port: PowertoolsBusinessMetrics;
  /** Flushes the buffered metrics (as the handler's middleware does) and returns every EMF line written so far. */
  flush(): EmfLine[];
  /** The sum of a metric over every line so far (an EMF value is a number or a list of them), optionally only lines with these dimension values. */
  sum(name: string, dimensions?: Record<string, string>): number;
  restore(): void;
}

export function captureEmf(): EmfCapture {
  const lines: EmfLine[] = [];
  const original = process.stdout.write.bind(process.stdout);
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return original(chunk, ...(rest as []));
    }
    if (parsed && typeof parsed === 'object' && '_aws' in parsed) {
      lines.push(parsed as EmfLine);
      return true;
    }
    return original(chunk, ...(rest as []));
  }) as typeof process.stdout.write);
  const metrics = new Metrics({ namespace: testNamespace, serviceName: 'nordic-utility-service' });
  return {
    metrics,
    port: new PowertoolsBusinessMetrics(metrics),
    flush() {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      return [...lines];
    },
    sum(name, dimensions = {}) {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      return lines
        .filter((line) => name in line && Object.entries(dimensions).every(([key, value]) => line[key] === value))
        .flatMap((line) => [line[name]].flat() as number[])
        .reduce((total, value) => total + value, 0);
    },
    restore() {
      spy.mockRestore();
    },
  };
}

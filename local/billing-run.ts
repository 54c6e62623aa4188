/**
 * `npm run billing-run -- [--month YYYY-MM] [--region Eda]`: starts a billing run on the
 * running embedded stack and shows its progress until it completes.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { devKeys } from './dev-auth.js';
import { ProgressBar } from './progress.js';

const { values } = parseArgs({
  options: {
    month: { type: 'string' },
    region: { type: 'string' },
    url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT ?? 3000}` },
  },
  strict: true,
});

const keys = await devKeys(join(resolve(process.env.DATA_DIR ?? '.data'), 'dev-signing-key.json'));
const headers = { authorization: `Bearer ${await keys.sign({ role: 'admin', subject: 'billing-cli' })}`, 'content-type': 'application/json' };
const started = await fetch(`${values.url}/v1/billing-runs`, {
  method: 'POST',
  headers,
  body: JSON.stringify({ ...(values.month ? { runMonth: values.month } : {}), ...(values.region ? { region: values.region } : {}) }),
});
const body = (await started.json()) as { runId?: string; detail?: string };
if (!started.ok || !body.runId) {
  console.error(`Could not start the run: ${started.status} ${body.detail ?? ''}`);
  process.exit(1);
}

interface Run { status: string; segments: number; segmentsDone: number; customersDone: number; invoicesWritten: number; errors: number; errorSamples: { customerId: string; reason: string }[] }
const bar = new ProgressBar(body.runId, { unit: 'segments', stream: process.stdout });
for (;;) {
  const run = (await (await fetch(`${values.url}/v1/billing-runs/${body.runId}`, { headers })).json()) as Run;
  const counts = `${run.customersDone} customers · ${run.invoicesWritten} invoices · ${run.errors} errors`;
  if (run.status === 'completed') {
    bar.finish(run.segmentsDone, run.segments, counts);
    for (const sample of run.errorSamples) console.log(`  ${sample.customerId}: ${sample.reason}`);
    break;
  }
  bar.update(run.segmentsDone, run.segments, counts);
  await new Promise((r) => setTimeout(r, 250));
}

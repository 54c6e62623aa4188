/**
 * `npm run import-register -- <file.csv> [--url http://127.0.0.1:3000] [--again]`: imports an
 * address register file into the running embedded stack as a large one goes (an upload URL,
 * the bytes PUT to it, POST /v1/address-register/imports { uploadId }), then shows the job's
 * progress (rows written of rows) until it ends, and a summary: imported, rejected lines,
 * generation. Exits 1 when the import is refused or fails, with the problem named.
 *
 * The request carries an Idempotency-Key made from the file's SHA-256, so the same file again
 * finds its job instead of importing a second time (the job is looked up first: a new upload
 * would be another request under the same key). `--again` imports it anew, e.g. to make this
 * file the register again after another one was imported.
 */
import { registerImportJobKind } from '../lambdas/domain/alerts/service.js';
import { jobIdFor } from '../lambdas/domain/jobs/job.js';
import { jobBar, plural, readCommandLine, runCommand, StackApi, watch, type Standing } from './cli-import.js';

const usage = 'Usage: npm run import-register -- <file.csv> [--url http://127.0.0.1:3000] [--again]';
/** Who imports: the job id is made from it and the key, so it must stay the same from run to run. */
const subject = 'import-register-cli';
const rejectedShown = 5;

interface JobView {
  jobId: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  progress: { bytes?: number; rows?: number; rowsWritten?: number; chunks?: number; chunksDone?: number };
  errors: { line?: number; message: string }[];
  result: { imported?: number; rejected?: number; generation?: string };
  createdAt: string;
}

/** Rows written of rows once the file is parsed; before that only the time it has taken. */
function registerStanding(job: JobView): Standing {
  const { rows, rowsWritten = 0, chunks, chunksDone = 0, bytes } = job.progress;
  if (rows === undefined) return { done: 0, extra: job.status === 'failed' ? 'failed' : `reading the file${bytes !== undefined ? ` (${plural(bytes, 'byte')})` : ''}` };
  const rejected = job.result.rejected ?? 0;
  return { done: rowsWritten, total: rows, extra: [`${chunksDone}/${chunks ?? '?'} chunks`, ...(rejected > 0 ? [`${rejected} rejected`] : [])].join(' · ') };
}

async function main(): Promise<number> {
  const command = readCommandLine(usage, { again: true });
  const api = await StackApi.admin(command.url, subject);
  const key = `register-import-${command.sha256}${command.again ? `-${Date.now()}` : ''}`;

  const ended = (job: JobView) => job.status === 'completed' || job.status === 'failed';
  let job: JobView | undefined;
  let location: string | undefined;
  if (!command.again) {
    // The same file's job, looked up before anything is sent: a new upload would be another
    // request under the same key (refused by the API's Idempotency-Key check).
    const jobId = jobIdFor(registerImportJobKind, subject, key, () => '');
    const found = await api.call('GET', `/v1/jobs/${jobId}`, { allow: [404] });
    if (found.status === 200) {
      const before = found.body as JobView;
      console.log(`${command.name} was imported before: job ${jobId}, asked for at ${before.createdAt}, ${before.status}. (--again imports it anew.)`);
      if (ended(before)) job = before;
      else location = `/v1/jobs/${jobId}`;
    }
  }
  if (!job && !location) {
    const uploadId = await api.upload('/v1/address-register/uploads', command.bytes);
    const started = await api.call('POST', '/v1/address-register/imports', { body: { uploadId }, headers: { 'idempotency-key': key } });
    location = started.headers.get('location') ?? `/v1/jobs/${(started.body as { jobId: string }).jobId}`;
  }
  if (!job) {
    const jobPath = location!;
    job = await watch<JobView>({
      read: async () => (await api.call('GET', jobPath)).body as JobView,
      ended,
      standing: registerStanding,
      bar: jobBar(command.name, 'rows'),
    });
  }

  if (job.status === 'failed') {
    console.error(`The import of ${command.name} failed (job ${job.jobId}):`);
    for (const error of job.errors) console.error(`  ${error.message}`);
    console.error('A corrected file is a new import; --again imports this same file anew.');
    return 1;
  }
  const rejectedLines = job.errors.filter((error) => error.line !== undefined);
  console.log(`Imported ${plural(job.result.imported ?? 0, 'row')} into the address register; rejected ${plural(job.result.rejected ?? 0, 'line')}.`);
  for (const error of rejectedLines.slice(0, rejectedShown)) console.log(`  ${error.message}`);
  const more = (job.result.rejected ?? 0) - Math.min(rejectedLines.length, rejectedShown);
  if (more > 0 && rejectedLines.length > 0) console.log(`  … and ${plural(more, 'more rejected line')}`);
  console.log(`Job ${job.jobId}, generation ${job.result.generation ?? '?'}.`);
  return 0;
}

runCommand(main, 'Stopped watching: the import goes on in the stack. Run the same command again to watch it (the same file finds the same job).');

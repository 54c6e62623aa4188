/**
 * `npm run import-payments -- <file> [--url http://127.0.0.1:3000]`: books a bank payment file
 * (BgMax or camt.054) on the running embedded stack as a large one goes (an upload URL, the
 * bytes PUT to it, POST /v1/payment-files/imports { uploadId }: validated whole, then booked in
 * chunks in the background), shows the import's progress (payments booked of the file's) until
 * it ends, and a summary: booked, matched, unmatched, already imported, errors. Exits 1 when
 * the file is refused (every bad line named) or the import fails.
 *
 * The import's id comes from the file's SHA-256 (lambdas/domain/billing/payment-imports.ts): the
 * same file again is the same import and books nothing twice. A completed one is only shown
 * (no new upload); an unfinished or failed one is imported again, which books what is left.
 */
import { importIdOf, type PaymentImportView } from '../lambdas/domain/billing/payment-imports.js';
import { jobBar, plural, readCommandLine, runCommand, StackApi, watch, type Standing } from './cli-import.js';

const usage = 'Usage: npm run import-payments -- <file> [--url http://127.0.0.1:3000]';

function paymentStanding(view: PaymentImportView): Standing {
  return {
    done: view.booked,
    total: view.payments,
    extra: `${view.chunksDone}/${view.chunks} chunks · ${view.matched} matched · ${view.unmatched} unmatched`,
  };
}

async function main(): Promise<number> {
  const command = readCommandLine(usage, { again: false });
  const api = await StackApi.admin(command.url, 'import-payments-cli');

  // A completed import of these bytes is only shown: no new upload, nothing booked twice.
  const importPath = `/v1/payment-files/imports/${importIdOf(command.sha256)}`;
  const before = await api.call('GET', importPath, { allow: [404] });
  let view: PaymentImportView;
  if (before.status === 200 && (before.body as PaymentImportView).status === 'completed') {
    view = before.body as PaymentImportView;
    console.log(`${command.name} was imported before (import ${view.importId}, completed at ${view.completedAt ?? '?'}): nothing is booked twice.`);
  } else {
    const uploadId = await api.upload('/v1/payment-files/uploads', command.bytes);
    const started = await api.call('POST', '/v1/payment-files/imports', { body: { uploadId } });
    const location = started.headers.get('location') ?? `/v1/payment-files/imports/${(started.body as { importId: string }).importId}`;
    view = await watch<PaymentImportView>({
      read: async () => (await api.call('GET', location)).body as PaymentImportView,
      ended: (value) => value.status === 'completed' || value.status === 'failed',
      standing: paymentStanding,
      bar: jobBar(command.name, 'payments'),
    });
  }

  const counts = [
    `matched ${view.matched}`, `unmatched ${view.unmatched}`, `already imported ${view.alreadyImported}`, `overpaid ${view.overpaid}`,
    ...(view.otherCurrency > 0 ? [`in another currency ${view.otherCurrency} (in the unmatched queue)`] : []),
    ...(view.deductions > 0 ? [`deductions recorded ${view.deductionsRecorded} of ${view.deductions}`] : []),
  ];
  if (view.status === 'failed') {
    console.error(`The import of ${command.name} failed (import ${view.importId}) after booking ${plural(view.booked, 'payment')} of ${view.payments}: ${counts.join(', ')}.`);
    for (const error of view.errors) console.error(`  ${error.path}: ${error.message}`);
    console.error('Run the same command again to book what is left.');
    return 1;
  }
  console.log(`Booked ${plural(view.booked, 'payment')} of ${view.payments} from ${command.name} (${view.format}, file ${view.fileId}): ${counts.join(', ')}; ${plural(view.errors.length, 'error')}.`);
  console.log(`Import ${view.importId}.`);
  return 0;
}

runCommand(main, 'Stopped watching: the import goes on in the stack. Run the same command again to watch it (the same file is the same import).');

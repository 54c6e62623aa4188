/**
 * The import commands as a person runs them (issue 14: progress a person can watch):
 * `npm run import-register` and `npm run import-payments` as child processes against an
 * embedded stack, their token signed with the stack's key (DATA_DIR). Each uploads the file,
 * starts the import, shows a progress bar with counts while the job runs (off a terminal: a
 * few lines, never one per row) and ends with a summary; the same file again finds the same
 * job; a refused or failed import exits non-zero with the problem named.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parsePaymentFile } from '../../lambdas/domain/payments/payment-file.js';
import { startTestStack, type TestStack } from './support.js';

let t: TestStack;
let admin: string;
let files: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Every line written, both streams. */
  lines: string[];
}

/** `npx tsx local/<script> <args> --url <stack>` with the stack's data folder, as a person runs `npm run <command>`. */
function run(script: string, ...args: string[]): Promise<Run> {
  // Asynchronous: the stack answers from this process, so its event loop must stay free.
  const child = spawn('node_modules/.bin/tsx', [`local/${script}`, ...args, '--url', t.stack.url], {
    env: { ...process.env, DATA_DIR: t.dataDir, POWERTOOLS_LOG_LEVEL: 'WARN' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} ${args.join(' ')} did not end within 45 s: ${stdout}${stderr}`));
    }, 45_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, lines: `${stdout}${stderr}`.split('\n').filter((line) => line.trim() !== '') });
    });
  });
}

beforeAll(async () => {
  // Chunks of 2 payments: a small file is booked in several steps.
  process.env.PAYMENT_IMPORT_CHUNK_SIZE = '2';
  t = await startTestStack();
  admin = await t.token({ role: 'admin', subject: 'cli-test-admin' });
  files = mkdtempSync(join(tmpdir(), 'utility-cli-'));
});
afterAll(async () => {
  rmSync(files, { recursive: true, force: true });
  await t.stop();
});

describe('npm run import-register', () => {
  const rows = 3_000;
  let first: Run;

  it('imports a 3,000-row register with a progress bar and a summary, in far fewer lines than rows', async () => {
    // Prepare: 3,000 phones on a street of their own, and one bad line
    const csv = join(files, 'register.csv');
    const lines = ['phone;street;number;postalCode;city', ...Array.from({ length: rows }, (_, i) => `+4670${6_000_000 + i};Kommandogatan;${i + 1};67141;Arvika`), 'inte ett nummer;Storgatan;1;67131;Arvika'];
    writeFileSync(csv, lines.join('\n'));

    // Act
    first = await run('import-register.ts', csv);

    // Assess: what the person sees
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Imported 3,000 rows into the address register; rejected 1 line.');
    expect(first.stdout).toContain(`line ${rows + 2}: phone`);
    expect(first.stdout).toMatch(/generation gen_/);
    const progress = first.stderr.split('\n').filter((line) => line.startsWith('register.csv '));
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1)).toMatch(/\[#+\] 3000\/3000 rows .*\/s done in \d+s · 3\/3 chunks · 1 rejected/);
    expect(first.lines.length).toBeLessThan(rows / 100);
    // …and what the stack holds
    const jobId = /Job (job_\w+)/.exec(first.stdout)![1]!;
    const job = (await t.call('GET', `/v1/jobs/${jobId}`, { token: admin })).body;
    expect(job).toMatchObject({ status: 'completed', result: { imported: rows, rejected: 1 }, progress: { rows, rowsWritten: rows } });
  });

  it('finds the same job when the same file is imported again: no second import', async () => {
    // Act
    const again = await run('import-register.ts', join(files, 'register.csv'));

    // Assess
    expect(again.code).toBe(0);
    const jobOf = (output: string) => /Job (job_\w+), generation (\S+)\./.exec(output)?.slice(1);
    expect(jobOf(again.stdout)).toEqual(jobOf(first.stdout));
    expect(again.stdout).toMatch(/register\.csv was imported before: job job_\w+, .* completed/);
    expect(again.stdout).toContain('Imported 3,000 rows');
  });

  it('exits non-zero naming the missing columns of a file with a bad header', async () => {
    // Prepare
    const csv = join(files, 'bad-header.csv');
    writeFileSync(csv, 'telefon;gata;nummer;postnummer;ort\n+46701234567;Storgatan;1;67131;Arvika\n');

    // Act
    const bad = await run('import-register.ts', csv);

    // Assess
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/The import of bad-header\.csv failed \(job job_\w+\)/);
    expect(bad.stderr).toContain('missing column phone');
    expect(bad.stdout).not.toContain('Imported');
  });
});

describe('npm run import-payments', () => {
  const fixture = 'test/fixtures/payments/BgMaxfil4.txt';

  it('books a bank file in chunks with a progress bar and a summary of its counts', async () => {
    // Prepare: the file's payments (no invoice has their references: all unmatched)
    const payments = parsePaymentFile(readFileSync(fixture)).payments.length;

    // Act
    const booked = await run('import-payments.ts', fixture);

    // Assess
    expect(booked.code).toBe(0);
    expect(booked.stdout).toContain(`Booked ${payments} payments of ${payments} from BgMaxfil4.txt (bgmax`);
    expect(booked.stdout).toMatch(new RegExp(`matched 0, unmatched ${payments}, already imported 0, overpaid 0.*; 0 errors\\.`));
    const progress = booked.stderr.split('\n').filter((line) => line.startsWith('BgMaxfil4.txt '));
    expect(progress.at(-1)).toMatch(new RegExp(`\\[#+\\] ${payments}/${payments} payments .*done in \\d+s · ${Math.ceil(payments / 2)}/${Math.ceil(payments / 2)} chunks`));
    expect(booked.lines.length).toBeLessThan(10);

    // Act: the same file again
    const again = await run('import-payments.ts', fixture);

    // Assess: the same import, shown, nothing booked twice
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/BgMaxfil4\.txt was imported before \(import imp_\w+, completed at .*\): nothing is booked twice\./);
    expect(/Import (imp_\w+)\./.exec(again.stdout)?.[1]).toBe(/Import (imp_\w+)\./.exec(booked.stdout)?.[1]);
  });

  it('exits non-zero with the refusal and the bad line of a file that does not add up', async () => {
    // Act
    const refused = await run('import-payments.ts', 'test/fixtures/payments/bgmax-bad-totals.txt');

    // Assess
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('POST /v1/payment-files/imports was refused: 422');
    expect(refused.stderr).toMatch(/line 16: deposit record total/);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ApiRefusal, problemLines, readCommandLine, watch } from '../../../local/cli-import.js';

describe('the import commands’ shared parts', () => {
  it('waits for the job with one bar update a read, and finishes the bar with the last state', async () => {
    // Prepare: a job read three times, ending on the third
    const states = [{ done: 0, status: 'running' }, { done: 400, status: 'running' }, { done: 1000, status: 'completed' }];
    const calls: string[] = [];
    const bar = {
      update: (done: number, total: number | undefined) => calls.push(`update ${done}/${total}`),
      finish: (done: number, total: number | undefined, extra?: string) => calls.push(`finish ${done}/${total} ${extra}`),
    };
    const slept: number[] = [];

    // Act
    const last = await watch({
      read: async () => states.shift()!,
      ended: (state) => state.status === 'completed',
      standing: (state) => ({ done: state.done, total: 1000, extra: state.status }),
      bar,
      sleep: async (ms) => void slept.push(ms),
    });

    // Assess
    expect(last).toEqual({ done: 1000, status: 'completed' });
    expect(calls).toEqual(['update 0/1000', 'update 400/1000', 'finish 1000/1000 completed']);
    expect(slept).toEqual([500, 500]);
  });

  it('prints a problem+json refusal as what was refused, why, and each field', () => {
    // Prepare
    const refusal = new ApiRefusal('POST /v1/payment-files/imports', 422, {
      type: 'https://problems.nordic-utility.example/validation', title: 'Invalid request', status: 422,
      detail: 'The payment file is not whole; nothing was booked.', errors: [{ path: 'line 16', message: 'deposit total does not add up' }],
    });

    // Act / Assess
    expect(problemLines(refusal)).toEqual([
      'POST /v1/payment-files/imports was refused: 422 Invalid request',
      '  The payment file is not whole; nothing was booked.',
      '  line 16: deposit total does not add up',
    ]);
    expect(problemLines(new ApiRefusal('GET /v1/jobs/x', 502, 'Bad gateway'))).toEqual(['GET /v1/jobs/x was refused: 502 Bad gateway']);
  });

  it('reads the file and --url, and refuses what the command does not take', () => {
    // Prepare
    const folder = mkdtempSync(join(tmpdir(), 'cli-args-'));
    const file = join(folder, 'register.csv');
    writeFileSync(file, 'phone,street\n');
    try {
      // Act
      const read = readCommandLine('usage', { again: true }, [file, '--url', 'http://127.0.0.1:3917/']);

      // Assess
      expect(read).toMatchObject({ name: 'register.csv', url: 'http://127.0.0.1:3917', again: false, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(readCommandLine('usage', { again: true }, [file, '--again']).again).toBe(true);
      expect(() => readCommandLine('usage', { again: false }, [file, '--again'])).toThrow(/Unknown option '--again'/);
      expect(() => readCommandLine('usage', { again: false }, [])).toThrow('usage');
      expect(() => readCommandLine('usage', { again: false }, [join(folder, 'missing.csv')])).toThrow(/Cannot read .*missing\.csv: ENOENT/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

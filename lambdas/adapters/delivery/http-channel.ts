/**
 * The HTTP client both service-provider channels share (the e-invoice operator, the print
 * service): one JSON POST with the hand-over's idempotency key, a timeout, and retries with
 * backoff for what may pass (429, 5xx, network); the answer mapped to the delivery ports'
 * errors: a refusal of this document (400, 404, 409 with another body, 422) → ChannelRefused,
 * anything still failing after the retries (or 401/403: wrong credentials) → ChannelUnavailable.
 */
import { ChannelRefused, ChannelUnavailable } from '../../domain/delivery/ports.js';

export interface HttpChannelSettings {
  /** e.g. `https://api.operator.example/v1` (no trailing slash). */
  readonly baseUrl: string;
  /** Resolves the API key (Secrets Manager in AWS, read once per cold start). */
  readonly apiKey: () => Promise<string>;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly backoffMs: number;
  /** The provider's name in error messages. */
  readonly name: string;
}

export type Fetch = typeof fetch;

const refusals = new Set([400, 404, 410, 413, 415, 422]);

export class HttpChannel {
  constructor(
    private readonly settings: HttpChannelSettings,
    private readonly fetchImpl: Fetch = fetch,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** POSTs `body` as JSON to `path`; returns the provider's id of what it took (`id` in the answer). */
  async post(path: string, body: unknown, idempotencyKey: string): Promise<{ id: string; body: Record<string, unknown> }> {
    const apiKey = await this.settings.apiKey();
    let lastProblem = '';
    for (let attempt = 1; attempt <= this.settings.maxAttempts; attempt++) {
      if (attempt > 1) await this.sleep(this.settings.backoffMs * 2 ** (attempt - 2));
      let response: Response;
      try {
        response = await this.fetchImpl(`${this.settings.baseUrl}${path}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${apiKey}`,
            'content-type': 'application/json',
            accept: 'application/json',
            'idempotency-key': idempotencyKey,
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.settings.timeoutMs),
        });
      } catch (error) {
        // Timeout or network: the provider may have taken it; the same key makes a retry safe.
        lastProblem = (error as Error).name;
        continue;
      }
      const text = await response.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        parsed = {};
      }
      if (response.ok) {
        const id = parsed.id ?? parsed.messageId ?? parsed.letterId;
        if (typeof id !== 'string' || id === '') throw new ChannelUnavailable(`${this.settings.name} answered ${response.status} without an id`);
        return { id, body: parsed };
      }
      if (refusals.has(response.status)) {
        const detail = typeof parsed.detail === 'string' ? parsed.detail : typeof parsed.message === 'string' ? parsed.message : '';
        throw new ChannelRefused(`${this.settings.name} refused the document (${response.status}${detail ? `: ${detail.slice(0, 200)}` : ''})`);
      }
      if (response.status === 401 || response.status === 403) {
        throw new ChannelUnavailable(`${this.settings.name} refused our credentials (${response.status})`);
      }
      lastProblem = String(response.status);
      if (response.status !== 429 && response.status < 500) break;
    }
    throw new ChannelUnavailable(`${this.settings.name} did not take the document (${lastProblem})`);
  }
}

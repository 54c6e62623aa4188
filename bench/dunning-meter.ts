/**
 * DynamoDB calls of the embedded stack, by component, for the dunning benchmark. The stack
 * builds its own document clients (the task function's, the overdue scan's, the runner's
 * execution store, the HTTP handlers'); `installComponentMeters()`, called before the stack
 * starts, wraps `DynamoDBDocumentClient.from` so every client the product builds gets one
 * routing middleware. Each call is counted by bench/dynamo-meter.ts's rules in the meter of
 * its component:
 * - `runner`: any key under `EXEC#` (the local runner's execution records and history; in AWS,
 *   Step Functions keeps these itself and bills them as state transitions, not DynamoDB);
 * - otherwise the component the caller runs in (an AsyncLocalStorage value: `task` around
 *   every Task state's handler, `scan` around the overdue scan, `setup` around the bench's
 *   own seeding), or `api` (HTTP requests: customers, bank files).
 * The runner's history writes are also tapped: every stored event's type is counted, so a
 * run of 10,000 executions can be counted without reading every history back.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoMeter, type MeterSnapshot } from './dynamo-meter.js';

/** `task`, `scan`, `runner`, `api`, `setup`; with `perExecution`, `task:<name>` and `runner:<name>` per execution. */
export type Component = string;

type Middleware = (next: (args: { input: object }) => Promise<{ output: unknown }>, context: { commandName?: string }) => (args: { input: object }) => Promise<{ output: unknown }>;

interface Routed {
  readonly meter: DynamoMeter;
  readonly middleware: Middleware;
}

/** A DynamoMeter whose middleware is kept aside, to be called by the router (one meter, many clients). */
function detachedMeter(): Routed {
  let captured: Middleware | undefined;
  const fake = { middlewareStack: { add: (middleware: Middleware) => (captured = middleware) } };
  const meter = new DynamoMeter(fake as unknown as DynamoDBDocumentClient);
  if (!captured) throw new Error('DynamoMeter added no middleware');
  return { meter, middleware: captured };
}

export class ComponentMeters {
  readonly context = new AsyncLocalStorage<Component>();
  private readonly routed = new Map<Component, Routed>();
  /** History events stored by the runner, by type (`TaskStateEntered`, ...). */
  readonly events = new Map<string, number>();
  /** Clients the product built (and the bench's own). */
  clients = 0;

  /** With `perExecution`, the runner's calls count per execution (the name after the state machine's in the ARN). */
  constructor(private readonly perExecution = false) {}

  private meterOf(component: Component): Routed {
    let routed = this.routed.get(component);
    if (!routed) {
      routed = detachedMeter();
      this.routed.set(component, routed);
    }
    return routed;
  }

  attach(client: DynamoDBDocumentClient): void {
    this.clients++;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        // A BatchWriteItem counts by its first item (the runner's saves: the record and its events' chunk).
        const batch = input.RequestItems ? (Object.values(input.RequestItems as Record<string, { PutRequest?: { Item: Record<string, unknown> } }[]>)[0] ?? []) : [];
        const key = (input.Key ?? input.Item ?? batch[0]?.PutRequest?.Item) as Record<string, unknown> | undefined;
        const runner = typeof key?.pk === 'string' && key.pk.startsWith('EXEC#');
        if (runner) {
          for (const item of batch.length > 0 ? batch.map((b) => b.PutRequest?.Item) : [key]) {
            const chunk = item?.eventsJson ?? item?.eventJson;
            if (typeof chunk !== 'string') continue;
            const parsed = JSON.parse(chunk) as { type: string } | { type: string }[];
            for (const { type } of Array.isArray(parsed) ? parsed : [parsed]) this.events.set(type, (this.events.get(type) ?? 0) + 1);
          }
        }
        const execution = runner && this.perExecution ? `:${String(key.pk).split(':').at(-1)}` : '';
        const component: Component = runner ? `runner${execution}` : (this.context.getStore() ?? 'api');
        const { middleware } = this.meterOf(component);
        return middleware(next as never, context)(args) as never;
      },
      { step: 'initialize', priority: 'high', name: 'benchComponentMeters' },
    );
  }

  snapshot(): Record<Component, MeterSnapshot> {
    return Object.fromEntries([...this.routed].map(([component, { meter }]) => [component, meter.snapshot()]));
  }

  eventSnapshot(): Record<string, number> {
    return Object.fromEntries(this.events);
  }

  static since(before: Record<Component, MeterSnapshot>, after: Record<Component, MeterSnapshot>): Record<Component, MeterSnapshot> {
    return Object.fromEntries(Object.keys(after).map((component) => [component, DynamoMeter.since(before[component] ?? {}, after[component]!)]));
  }

  /** Milliseconds the meters spent on their own bookkeeping. */
  overheadMs(): number {
    return [...this.routed.values()].reduce((sum, { meter }) => sum + meter.overheadMs, 0);
  }

  run<T>(component: Component, work: () => Promise<T>): Promise<T> {
    return this.context.run(component, work);
  }
}

/** Every document client built from now on (the product's and the bench's) is metered. */
export function installComponentMeters(perExecution = false): ComponentMeters {
  const meters = new ComponentMeters(perExecution);
  const original = DynamoDBDocumentClient.from.bind(DynamoDBDocumentClient);
  (DynamoDBDocumentClient as unknown as { from: typeof original }).from = (client, options) => {
    const documentClient = original(client, options);
    meters.attach(documentClient);
    return documentClient;
  };
  return meters;
}

/**
 * Local Step Functions for the embedded stack: runs the same JSONPath ASL definitions with
 * aws-local-stepfunctions, but
 * - Wait states follow the one local clock (tick() releases due waits in time order; the executions
 *   whose waits are due at the same instant advance together, a bounded number at a time),
 * - `.waitForTaskToken` tasks wait for sendTaskSuccess/sendTaskFailure,
 * - every execution (current state, its input, pending wait/token, history) is persisted in an
 *   ExecutionStore and resumed from its current state after a restart (resumeOpenExecutions()),
 * - executions are inspectable in AWS shapes (listExecutions, describeExecution, getExecutionHistory).
 */
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { inPool } from '../../lambdas/adapters/dynamo/batch.js';
import { deriveDefinition, LOCAL_WAIT_RESOURCE, type DerivedDefinition, type WaitSpec } from './derive.js';
import { apiError, TaskFailure, WorkflowApiError } from './errors.js';
import { awsLimits } from '../../lib/function-settings.js';
import { applyInputPath, PathError, readPath } from './jsonpath.js';
import type { ExecutionRecord, ExecutionStatus, ExecutionStore, StoredEvent } from './store.js';

export { InMemoryExecutionStore, DynamoExecutionStore } from './store.js';
export type { ExecutionRecord, ExecutionStatus, ExecutionStore, StoredEvent } from './store.js';
export { WorkflowApiError, TaskFailure } from './errors.js';

const require = createRequire(import.meta.url);
const aslValidator = require('asl-validator') as (
  definition: object,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errors: unknown[]; errorsText: (separator?: string) => string };

export type TaskHandler = (
  input: unknown,
  context: { taskToken?: string; executionArn: string; stateName: string },
) => Promise<unknown>;

export interface LocalWorkflowsOptions {
  clock: { now(): Date };
  store: ExecutionStore;
  log?: (line: string) => void;
  /** Real-time interval of tick() after start(); default 1000 ms. */
  tickIntervalMs?: number;
  /** Overrides every Retry interval (real milliseconds); default: as the ASL says. */
  retryIntervalMs?: number;
  /**
   * How many executions whose waits are due at the same instant advance at once (each until it
   * waits again or ends); default 8. Waits due at different instants are always released in time
   * order, one instant after the other.
   */
  releaseConcurrency?: number;
}

/** How many executions due at one instant advance at once, unless `releaseConcurrency` says otherwise. */
export const defaultReleaseConcurrency = 8;

const ACCOUNT = '000000000000';
export const stateMachineArn = (name: string) => `arn:aws:states:local:${ACCOUNT}:stateMachine:${name}`;
export const executionArnOf = (stateMachineName: string, name: string) =>
  `arn:aws:states:local:${ACCOUNT}:execution:${stateMachineName}:${name}`;

interface Registered {
  definition: object;
  handlers: Record<string, TaskHandler>;
  registeredAt: Date;
}

type Phase = 'running' | 'done';

interface Waiter {
  rt: Runtime;
  stateName: string;
  dueAt: number;
  seq: number;
  release: () => void;
  fail: (error: Error) => void;
}

interface PendingToken {
  rt: Runtime;
  stateName: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
}

interface Runtime {
  record: ExecutionRecord;
  derived: DerivedDefinition;
  phase: Phase;
  /** Handlers waiting on the clock or a callback, and handlers doing work (incl. a wait before it blocks). */
  blocked: number;
  running: number;
  detached: boolean;
  abort?: () => void;
  /** The store writes of this execution, one after another. */
  writes: Promise<void>;
  /** History events recorded since the last save, and whether the record changed since then. */
  unsaved: StoredEvent[];
  dirty: boolean;
  consumerIdle: boolean;
  consumerListeners: (() => void)[];
  /** Set on a resumed run: the first entry of the current state is already in the history. */
  resume?: { stateName: string; skipEntered: boolean; pendingWait?: ExecutionRecord['pendingWait']; pendingTask?: ExecutionRecord['pendingTask'] };
  blockers: Set<(error: Error) => void>;
  final?: { ok: true; output: unknown } | { ok: false; error: string; cause: string };
}

const json = (value: unknown) => JSON.stringify(value ?? null);

/**
 * Step Functions' payload quota (256 KB, awsLimits.stepFunctionsPayloadBytes): a state's input
 * or output, a task's parameters or result over it fails the execution with
 * States.DataLimitExceeded, which neither Retry nor Catch (not even States.ALL) matches.
 */
export class DataLimitExceeded extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(what: string, bytes: number) {
    super(`The ${what} has a size of ${bytes} bytes, which exceeds the maximum of ${awsLimits.stepFunctionsPayloadBytes} bytes`);
    this.name = 'States.DataLimitExceeded';
  }
}

function checkPayload(what: string, value: unknown): void {
  const bytes = Buffer.byteLength(json(value), 'utf8');
  if (bytes > awsLimits.stepFunctionsPayloadBytes) throw new DataLimitExceeded(what, bytes);
}
const encodeToken = (arn: string, stateName: string) =>
  Buffer.from(JSON.stringify({ a: arn, s: stateName, r: randomBytes(24).toString('base64url') })).toString('base64url');
function decodeToken(token: string): { a: string; s: string } | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { a?: unknown; s?: unknown };
    return typeof parsed.a === 'string' && typeof parsed.s === 'string' ? { a: parsed.a, s: parsed.s } : undefined;
  } catch {
    return undefined;
  }
}
function replaceString(value: unknown, from: string, to: string): unknown {
  if (value === from) return to;
  if (Array.isArray(value)) return value.map((v) => replaceString(v, from, to));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceString(v, from, to)]));
  }
  return value;
}
const errorParts = (error: unknown) =>
  error instanceof Error ? { error: error.name, cause: error.message } : { error: 'Error', cause: String(error) };

export class LocalWorkflows {
  private readonly clock: { now(): Date };
  private readonly store: ExecutionStore;
  private readonly log: (line: string) => void;
  private readonly machines = new Map<string, Registered>();
  private readonly runtimes = new Map<string, Runtime>();
  private readonly waiters: Waiter[] = [];
  private readonly tokens = new Map<string, PendingToken>();
  private readonly listeners = new Set<() => void>();
  private waiterSeq = 0;
  private tickChain: Promise<void> = Promise.resolve();
  private ticking = false;
  private interval: NodeJS.Timeout | undefined;

  constructor(private readonly options: LocalWorkflowsOptions) {
    this.clock = options.clock;
    this.store = options.store;
    this.log = options.log ?? (() => {});
  }

  // ---------------------------------------------------------------- registration and starting

  register(stateMachineName: string, definition: object, taskHandlers: Record<string, TaskHandler> = {}): void {
    const copy = JSON.parse(JSON.stringify(definition)) as object;
    const result = aslValidator(JSON.parse(JSON.stringify(definition)) as object, { checkArn: false, checkPaths: true });
    if (!result.isValid) {
      throw apiError.invalidDefinition(`State machine ${stateMachineName} is invalid:\n${result.errorsText('\n')}`);
    }
    if ((copy as { QueryLanguage?: string }).QueryLanguage === 'JSONata') {
      throw apiError.invalidDefinition(`State machine ${stateMachineName}: JSONata is not supported locally`);
    }
    this.machines.set(stateMachineName, { definition: copy, handlers: { ...taskHandlers }, registeredAt: this.clock.now() });
  }

  /** The registered state machines (ListStateMachines, DescribeStateMachine). */
  stateMachines(): { name: string; definition: object; registeredAt: Date }[] {
    return [...this.machines].map(([name, machine]) => ({ name, definition: machine.definition, registeredAt: machine.registeredAt }));
  }

  async startExecution(
    stateMachineName: string,
    name: string,
    input: unknown = {},
  ): Promise<{ executionArn: string; startDate: Date; alreadyStarted: boolean }> {
    const machine = this.machines.get(stateMachineName);
    if (!machine) throw apiError.stateMachineDoesNotExist(stateMachineName);
    const executionArn = executionArnOf(stateMachineName, name);
    const normalizedInput = JSON.parse(json(input)) as unknown;
    const inputBytes = Buffer.byteLength(json(normalizedInput), 'utf8');
    if (inputBytes > awsLimits.stepFunctionsPayloadBytes) {
      throw new WorkflowApiError('ValidationException', `The execution input has ${inputBytes} bytes; at most ${awsLimits.stepFunctionsPayloadBytes} are allowed.`);
    }
    const stored = this.runtimes.get(executionArn)?.record ?? (await this.store.get(executionArn));
    // Re-read the in-memory map: a concurrent start with the same name may have won while we awaited the store.
    const existing = this.runtimes.get(executionArn)?.record ?? stored;
    if (existing) {
      if (json(existing.input) !== json(normalizedInput)) throw apiError.executionAlreadyExists(executionArn);
      return { executionArn, startDate: new Date(existing.startDate), alreadyStarted: true };
    }
    const startDate = this.clock.now();
    const record: ExecutionRecord = {
      executionArn,
      stateMachineName,
      name,
      status: 'RUNNING',
      startDate: startDate.toISOString(),
      input: normalizedInput,
      eventCount: 0,
    };
    const rt = this.newRuntime(record, machine.definition, undefined);
    this.appendEvent(rt, { type: 'ExecutionStarted', input: normalizedInput });
    await this.save(rt);
    this.log(`workflow ${stateMachineName}: started ${name}`);
    this.run(rt, machine, normalizedInput);
    return { executionArn, startDate, alreadyStarted: false };
  }

  /** Re-runs every RUNNING execution in the store from its current state (after a restart or an ASL change). */
  async resumeOpenExecutions(): Promise<{ resumed: string[]; failed: string[]; skipped: string[] }> {
    const report = { resumed: [] as string[], failed: [] as string[], skipped: [] as string[] };
    for (const record of await this.store.list()) {
      if (record.status !== 'RUNNING' || this.runtimes.has(record.executionArn)) continue;
      const machine = this.machines.get(record.stateMachineName);
      if (!machine) {
        this.log(`workflow ${record.stateMachineName}: not registered, ${record.name} left as it is`);
        report.skipped.push(record.executionArn);
        continue;
      }
      const states = (machine.definition as { States: Record<string, unknown>; StartAt: string }).States;
      const startAt = record.currentState ?? (machine.definition as { StartAt: string }).StartAt;
      const rt = this.newRuntime(record, machine.definition, startAt in states ? startAt : undefined);
      if (!(startAt in states)) {
        rt.final = { ok: false, error: 'States.Runtime', cause: `state "${startAt}" no longer exists in state machine "${record.stateMachineName}"` };
        await this.finish(rt);
        report.failed.push(record.executionArn);
        continue;
      }
      rt.resume = {
        stateName: startAt,
        skipEntered: record.currentState !== undefined,
        ...(record.pendingWait ? { pendingWait: record.pendingWait } : {}),
        ...(record.pendingTask ? { pendingTask: record.pendingTask } : {}),
      };
      const input = record.currentState !== undefined ? record.currentInput : record.input;
      this.log(`workflow ${record.stateMachineName}: resuming ${record.name} at ${startAt}`);
      this.run(rt, machine, input ?? {});
      report.resumed.push(record.executionArn);
    }
    return report;
  }

  // ---------------------------------------------------------------- callbacks

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    const value = typeof output === 'string' ? (JSON.parse(output) as unknown) : output;
    const pending = await this.takeToken(taskToken);
    await this.closeToken(pending, taskToken);
    pending.resolve(value ?? null);
  }

  async sendTaskFailure(taskToken: string, error?: string, cause?: string): Promise<void> {
    const pending = await this.takeToken(taskToken);
    await this.closeToken(pending, taskToken);
    pending.reject(new TaskFailure(error ?? 'States.TaskFailed', cause ?? ''));
  }

  private async takeToken(taskToken: string): Promise<PendingToken> {
    const pending = this.tokens.get(taskToken);
    if (pending) {
      this.tokens.delete(taskToken);
      return pending;
    }
    const decoded = decodeToken(taskToken);
    const record = decoded ? ((this.runtimes.get(decoded.a)?.record) ?? (await this.store.get(decoded.a))) : undefined;
    if (!record) throw apiError.taskDoesNotExist();
    if (record.closedTokens?.includes(taskToken) || record.status !== 'RUNNING') throw apiError.taskTimedOut();
    if (record.pendingTask?.token === taskToken) {
      throw apiError.taskDoesNotExist(`Task exists but its execution is not running in this process: call resumeOpenExecutions() first`);
    }
    throw apiError.taskDoesNotExist();
  }

  private async closeToken(pending: PendingToken, token: string): Promise<void> {
    const { rt } = pending;
    if (rt.record.pendingTask?.token === token) delete rt.record.pendingTask;
    rt.record.closedTokens = [...(rt.record.closedTokens ?? []), token];
    rt.dirty = true;
    await this.save(rt);
  }

  // ---------------------------------------------------------------- clock

  /** The earliest time a wait is due (ms since the epoch), or undefined when nothing waits on the clock. */
  nextDueAt(): number | undefined {
    return this.waiters.reduce<number | undefined>((min, w) => (min === undefined || w.dueAt < min ? w.dueAt : min), undefined);
  }

  /** Releases due waits in due-time order: all due at one instant (a bounded pool at a time), then the next instant. */
  tick(): Promise<void> {
    this.tickChain = this.tickChain.then(() => this.tickOnce()).catch((error: unknown) => this.log(`workflow tick failed: ${String(error)}`));
    return this.tickChain;
  }

  start(): void {
    if (this.interval) return;
    this.interval = setInterval(() => {
      if (!this.ticking) void this.tick();
    }, this.options.tickIntervalMs ?? 1000);
    this.interval.unref();
  }

  stop(): void {
    if (this.interval) clearInterval(this.interval);
    this.interval = undefined;
  }

  /**
   * Stops ticking and drops every in-memory execution without touching what is stored (what a
   * process exit does): a new instance on the same store continues with resumeOpenExecutions().
   */
  async close(): Promise<void> {
    this.stop();
    const closing = new Error('LocalWorkflows closed');
    for (const rt of this.runtimes.values()) {
      if (rt.phase === 'done') continue;
      await this.save(rt); // what was recorded since the last save, as a graceful stop keeps it
      rt.detached = true;
      rt.abort?.();
      for (const fail of rt.blockers) fail(closing);
      await rt.writes.catch(() => {});
    }
    this.waiters.length = 0;
    this.tokens.clear();
    this.runtimes.clear();
  }

  /** Resolves when no execution is between states (all wait on the clock, on a callback, or are finished) and no wait is due. */
  async idle(): Promise<void> {
    for (;;) {
      const open = [...this.runtimes.values()].filter((rt) => rt.phase !== 'done' && !rt.detached);
      // Waits for one busy execution at a time (checking them all on every change would be quadratic with thousands open).
      const busy = open.find((rt) => !this.quiet(rt));
      if (busy) {
        await this.settled(busy);
        continue;
      }
      for (const rt of open) await this.drain(rt);
      if (open.some((rt) => !this.quiet(rt))) continue;
      const now = this.clock.now().getTime();
      if (this.ticking || this.waiters.some((w) => w.dueAt <= now)) {
        await this.tick();
        continue;
      }
      return;
    }
  }

  private async tickOnce(): Promise<void> {
    this.ticking = true;
    const concurrency = Math.max(1, this.options.releaseConcurrency ?? defaultReleaseConcurrency);
    try {
      for (;;) {
        // The earliest instant a wait is due at, if it has come; every wait due at it is released.
        const now = this.clock.now().getTime();
        let instant: number | undefined;
        for (const w of this.waiters) if (w.dueAt <= now && (instant === undefined || w.dueAt < instant)) instant = w.dueAt;
        if (instant === undefined) return;
        const due: Waiter[] = [];
        let kept = 0;
        for (const w of this.waiters) {
          if (w.dueAt === instant) due.push(w);
          else this.waiters[kept++] = w;
        }
        this.waiters.length = kept;
        due.sort((a, b) => a.seq - b.seq);
        // A bounded pool: each releases the next wait and lets its execution settle.
        await inPool(due, concurrency, async (w) => {
          w.release();
          await this.settled(w.rt);
        });
      }
    } finally {
      this.ticking = false;
      this.notify();
    }
  }

  /** Nothing of this execution runs: it is finished, or every running part waits on the clock or a callback. */
  private quiet(rt: Runtime): boolean {
    return rt.phase === 'done' || rt.detached || (rt.blocked > 0 && rt.running === 0);
  }

  private async settled(rt: Runtime): Promise<void> {
    for (;;) {
      if (this.quiet(rt)) {
        await this.drain(rt);
        if (this.quiet(rt)) break;
      } else {
        await this.changed();
      }
    }
    await this.save(rt);
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.listeners.add(resolve));
  }

  private notify(): void {
    const all = [...this.listeners];
    this.listeners.clear();
    for (const listener of all) listener();
  }

  // ---------------------------------------------------------------- inspection (AWS shapes)

  async listExecutions(stateMachineName?: string, status?: ExecutionStatus) {
    const records = (await this.store.list())
      .filter((r) => (stateMachineName === undefined || r.stateMachineName === stateMachineName) && (status === undefined || r.status === status))
      .sort((a, b) => b.startDate.localeCompare(a.startDate));
    return {
      executions: records.map((r) => ({
        executionArn: r.executionArn,
        stateMachineArn: stateMachineArn(r.stateMachineName),
        name: r.name,
        status: r.status,
        startDate: new Date(r.startDate),
        ...(r.stopDate ? { stopDate: new Date(r.stopDate) } : {}),
      })),
    };
  }

  async describeExecution(executionArn: string) {
    const r = await this.store.get(executionArn);
    if (!r) throw apiError.executionDoesNotExist(executionArn);
    return {
      executionArn: r.executionArn,
      stateMachineArn: stateMachineArn(r.stateMachineName),
      name: r.name,
      status: r.status,
      startDate: new Date(r.startDate),
      ...(r.stopDate ? { stopDate: new Date(r.stopDate) } : {}),
      input: json(r.input),
      inputDetails: { included: true },
      ...(r.status === 'SUCCEEDED' ? { output: json(r.output), outputDetails: { included: true } } : {}),
      ...(r.error !== undefined ? { error: r.error } : {}),
      ...(r.cause !== undefined ? { cause: r.cause } : {}),
      /** Local extras (not in the AWS API): where the execution is and what it waits for. */
      local: {
        currentState: r.currentState,
        ...(r.pendingWait ? { waitingUntil: r.pendingWait.dueAt } : {}),
        ...(r.pendingTask ? { waitingForTaskToken: r.pendingTask.token } : {}),
      },
    };
  }

  async getExecutionHistory(executionArn: string) {
    const record = await this.store.get(executionArn);
    if (!record) throw apiError.executionDoesNotExist(executionArn);
    const events = await this.store.events(executionArn);
    return { events: events.map(toHistoryEvent) };
  }

  // ---------------------------------------------------------------- running

  private newRuntime(record: ExecutionRecord, definition: object, startAt: string | undefined): Runtime {
    const rt: Runtime = {
      record,
      derived: deriveDefinition(definition, {
        ...(startAt !== undefined ? { startAt } : {}),
        executionInput: record.input,
        executionStartTime: record.startDate,
      }),
      phase: 'running',
      blocked: 0,
      running: 0,
      detached: false,
      writes: Promise.resolve(),
      unsaved: [],
      dirty: false,
      consumerIdle: false,
      consumerListeners: [],
      blockers: new Set(),
    };
    this.runtimes.set(record.executionArn, rt);
    return rt;
  }

  private run(rt: Runtime, machine: Registered, input: unknown): void {
    const { record, derived } = rt;
    const placeholder = `local-task-token:${record.executionArn}`;
    const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, spec] of derived.waits) handlers[stateName] = (raw) => this.waitHandler(rt, stateName, spec, raw);
    for (const stateName of derived.callbackTasks) {
      handlers[stateName] = (taskInput) => this.callbackHandler(rt, machine, stateName, taskInput, placeholder);
    }
    for (const [stateName, resource] of derived.tasks) handlers[stateName] = (taskInput) => this.taskHandler(rt, machine, stateName, resource, taskInput);

    const retryIntervalOverrides: Record<string, number> = {};
    if (this.options.retryIntervalMs !== undefined) {
      for (const stateName of [...derived.tasks.keys(), ...derived.callbackTasks]) retryIntervalOverrides[stateName] = this.options.retryIntervalMs;
    }
    const machineRun = new StateMachine(derived.definition as unknown as StateMachineDefinition, {
      validationOptions: { noValidate: true },
    }).run(input as never, {
      noThrowOnAbort: true,
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        retryIntervalOverrides,
      },
      context: {
        Execution: { Id: record.executionArn, Name: record.name, StartTime: record.startDate, Input: record.input as never },
        StateMachine: { Id: stateMachineArn(record.stateMachineName), Name: record.stateMachineName },
        Task: { Token: placeholder },
      },
    });
    rt.abort = machineRun.abort;

    void (async () => {
      const iterator = machineRun.eventLogs[Symbol.asyncIterator]();
      for (;;) {
        rt.consumerIdle = true;
        for (const listener of rt.consumerListeners.splice(0)) listener();
        const next = await iterator.next();
        rt.consumerIdle = false;
        if (next.done || rt.detached) break;
        this.onEvent(rt, next.value as unknown as LibEvent);
        this.notify();
      }
      rt.consumerIdle = true;
      for (const listener of rt.consumerListeners.splice(0)) listener();
      try {
        await machineRun.result;
      } catch (error) {
        rt.final ??= { ok: false, ...errorParts(error) };
      }
      if (rt.detached) return;
      rt.final ??= { ok: false, error: 'States.Runtime', cause: 'execution ended without a result' };
      await this.finish(rt);
    })().catch((error: unknown) => {
      this.log(`workflow ${record.stateMachineName}/${record.name}: runner error ${String(error)}`);
      rt.phase = 'done';
      this.notify();
    });
  }

  private async finish(rt: Runtime): Promise<void> {
    const { record } = rt;
    const final = rt.final;
    record.stopDate = this.clock.now().toISOString();
    delete record.pendingWait;
    delete record.pendingTask;
    if (final?.ok) {
      record.status = 'SUCCEEDED';
      record.output = final.output;
      this.appendEvent(rt, { type: 'ExecutionSucceeded', output: final.output });
    } else {
      record.status = 'FAILED';
      record.error = final?.error ?? 'States.Runtime';
      record.cause = final?.cause ?? '';
      this.appendEvent(rt, { type: 'ExecutionFailed', error: record.error, cause: record.cause });
    }
    await this.save(rt);
    this.log(`workflow ${record.stateMachineName}: ${record.name} ${record.status}${record.error ? ` (${record.error}: ${record.cause})` : ''}`);
    rt.phase = 'done';
    this.notify();
  }

  private onEvent(rt: Runtime, event: LibEvent): void {
    const { derived } = rt;
    switch (event.type) {
      case 'ExecutionSucceeded':
        rt.final ??= { ok: true, output: event.output }; // unless a payload over the quota failed it already
        return;
      case 'ExecutionFailed':
        rt.final ??= { ok: false, error: String(event.Error), cause: typeof event.Cause === 'string' ? event.Cause : json(event.Cause) };
        return;
      case 'StateEntered':
      case 'StateExited': {
        const state = event.state!;
        try {
          checkPayload(`${event.type === 'StateEntered' ? 'input' : 'output'} of state "${state.name}"`, event.type === 'StateEntered' ? state.input : state.output);
        } catch (error) {
          // As AWS: the execution fails where the payload grew too large (tasks check before running: taskBody).
          rt.final ??= { ok: false, ...errorParts(error) };
          rt.abort?.();
        }
        const topLevel = event.index === undefined && derived.topStates.has(state.name);
        const kind = derived.waits.has(state.name) ? 'Wait' : state.type;
        if (event.type === 'StateEntered' && topLevel) {
          rt.record.currentState = state.name;
          rt.record.currentInput = state.input;
          if (rt.resume?.skipEntered && rt.resume.stateName === state.name) {
            rt.resume.skipEntered = false;
            rt.dirty = true;
            return;
          }
        }
        if (event.type === 'StateEntered') this.appendEvent(rt, { type: `${kind}StateEntered`, stateName: state.name, input: state.input });
        else this.appendEvent(rt, { type: `${kind}StateExited`, stateName: state.name, output: state.output });
        return;
      }
      case 'StateFailed':
        if (event.Error === 'States.Timeout') this.appendEvent(rt, { type: 'TaskTimedOut', stateName: event.state?.name, error: 'States.Timeout', cause: String(event.Cause ?? '') });
        return;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
      case 'ParallelBranchStarted':
      case 'ParallelBranchSucceeded':
      case 'ParallelBranchFailed':
        this.appendEvent(rt, { type: event.type, stateName: event.parentState?.name });
        return;
      default:
        return; // ExecutionStarted (recorded by startExecution), StateRetried/StateCaught (no AWS event)
    }
  }

  // ---------------------------------------------------------------- persistence helpers

  /**
   * Saves the record and the events recorded since the last save in one store call (queued behind
   * the execution's earlier writes). Events are only recorded in memory as they happen; the runner
   * saves where a restart needs it: before a task or callback handler runs (drain), when a wait
   * or callback blocks, when a token closes, and when the execution ends.
   */
  private save(rt: Runtime): Promise<void> {
    if (!rt.dirty && rt.unsaved.length === 0) return rt.writes;
    const snapshot = JSON.parse(JSON.stringify(rt.record)) as ExecutionRecord;
    const events = rt.unsaved.splice(0);
    rt.dirty = false;
    const next = rt.writes.then(() => (rt.detached ? undefined : this.store.save(snapshot, events)));
    rt.writes = next.catch((error: unknown) => this.log(`workflow store write failed: ${String(error)}`));
    return rt.writes;
  }

  private appendEvent(rt: Runtime, event: Omit<StoredEvent, 'id' | 'previousEventId' | 'timestamp'>): void {
    const id = rt.record.eventCount + 1;
    rt.record.eventCount = id;
    rt.unsaved.push(
      JSON.parse(JSON.stringify({ ...event, id, previousEventId: id - 1, timestamp: this.clock.now().toISOString() })) as StoredEvent,
    );
    rt.dirty = true;
  }

  /**
   * Waits until every event the library has dispatched so far is recorded and, unless `save` is
   * false, saved (the current state persisted).
   */
  private async drain(rt: Runtime, save = true): Promise<void> {
    for (;;) {
      if (rt.detached) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (rt.consumerIdle) {
        await (save ? this.save(rt) : rt.writes);
        if (rt.consumerIdle) return;
      } else {
        await new Promise<void>((resolve) => rt.consumerListeners.push(resolve));
      }
    }
  }

  /**
   * A pending promise the execution waits on (clock or callback). markBlocked() counts the handler
   * as waiting (no longer running) until the promise settles; close() rejects it.
   */
  private block<T>(
    rt: Runtime,
    register: (resolve: (value: T) => void, reject: (error: Error) => void) => void,
  ): { promise: Promise<T>; markBlocked: () => void } {
    let counted = false;
    let settled = false;
    const unblock = () => {
      settled = true;
      if (counted) {
        counted = false;
        rt.blocked -= 1;
        rt.running += 1;
      }
    };
    const promise = new Promise<T>((resolve, reject) => {
      const fail = (error: Error) => {
        rt.blockers.delete(fail);
        unblock();
        reject(error);
      };
      rt.blockers.add(fail);
      register(
        (value) => {
          rt.blockers.delete(fail);
          unblock();
          resolve(value);
        },
        (error) => {
          rt.blockers.delete(fail);
          unblock();
          reject(error);
        },
      );
    });
    const markBlocked = () => {
      if (settled || counted) return;
      counted = true;
      rt.blocked += 1;
      rt.running -= 1;
      this.notify();
    };
    return { promise, markBlocked };
  }

  /** Counts a handler as running for its whole duration (minus the time it is blocked). */
  private async working<T>(rt: Runtime, body: () => Promise<T>): Promise<T> {
    rt.running += 1;
    try {
      return await body();
    } finally {
      rt.running -= 1;
      this.notify();
    }
  }

  // ---------------------------------------------------------------- local task handlers

  private waitHandler(rt: Runtime, stateName: string, spec: WaitSpec, rawInput: unknown): Promise<unknown> {
    return this.working(rt, () => this.waitBody(rt, stateName, spec, rawInput));
  }

  private async waitBody(rt: Runtime, stateName: string, spec: WaitSpec, rawInput: unknown): Promise<unknown> {
    await this.drain(rt, false); // saved below, with the wait
    const effective = applyInputPath(spec.InputPath, rawInput);
    let dueAt: number;
    const resumed = rt.resume?.pendingWait;
    if (resumed && resumed.stateName === stateName && rt.resume?.stateName === stateName) {
      dueAt = Date.parse(resumed.dueAt);
      delete rt.resume.pendingWait;
    } else {
      const now = this.clock.now().getTime();
      if (spec.Seconds !== undefined) dueAt = now + spec.Seconds * 1000;
      else if (spec.SecondsPath !== undefined) {
        const seconds = readPath(spec.SecondsPath, effective);
        if (typeof seconds !== 'number' || seconds < 0) throw new PathError(`SecondsPath ${spec.SecondsPath} is not a non-negative number`);
        dueAt = now + seconds * 1000;
      } else {
        const timestamp = spec.Timestamp ?? readPath(spec.TimestampPath ?? '$', effective);
        dueAt = typeof timestamp === 'string' ? Date.parse(timestamp) : NaN;
        if (Number.isNaN(dueAt)) throw new PathError(`Wait ${stateName}: "${String(timestamp)}" is not a timestamp`);
      }
    }
    rt.record.pendingWait = { stateName, dueAt: new Date(dueAt).toISOString() };
    rt.dirty = true;
    await this.save(rt);
    const released = this.block<void>(rt, (resolve, reject) => {
      this.waiters.push({ rt, stateName, dueAt, seq: ++this.waiterSeq, release: () => resolve(), fail: reject });
    });
    released.markBlocked();
    if (dueAt <= this.clock.now().getTime() && !this.ticking) setImmediate(() => void this.tick());
    await released.promise;
    delete rt.record.pendingWait;
    rt.dirty = true;
    return effective;
  }

  private taskHandler(rt: Runtime, machine: Registered, stateName: string, resource: string, input: unknown): Promise<unknown> {
    return this.working(rt, () => this.taskBody(rt, machine, stateName, resource, input));
  }

  private async taskBody(rt: Runtime, machine: Registered, stateName: string, resource: string, input: unknown): Promise<unknown> {
    await this.drain(rt);
    if (rt.final && !rt.final.ok && rt.final.error === 'States.DataLimitExceeded') throw Object.assign(new DataLimitExceeded('', 0), { message: rt.final.cause });
    checkPayload(`parameters of task "${stateName}"`, input);
    this.appendEvent(rt, { type: 'TaskScheduled', stateName, input: { resource, parameters: input } });
    this.appendEvent(rt, { type: 'TaskStarted', stateName });
    const handler = machine.handlers[stateName];
    try {
      if (!handler) throw new TaskFailure('States.TaskFailed', `no local handler registered for task state "${stateName}" (${resource})`);
      const output = (await handler(input, { executionArn: rt.record.executionArn, stateName })) ?? null;
      checkPayload(`result of task "${stateName}"`, output);
      this.appendEvent(rt, { type: 'TaskSucceeded', stateName, output });
      return JSON.parse(json(output)) as unknown;
    } catch (error) {
      this.appendEvent(rt, { type: 'TaskFailed', stateName, ...errorParts(error) });
      throw error;
    }
  }

  private callbackHandler(rt: Runtime, machine: Registered, stateName: string, rawTaskInput: unknown, placeholder: string): Promise<unknown> {
    return this.working(rt, () => this.callbackBody(rt, machine, stateName, rawTaskInput, placeholder));
  }

  /**
   * A callback task's TimeoutSeconds on the local clock: when it passes, the token closes and
   * the task fails with States.Timeout (what the ASL's Catch sees in AWS).
   */
  private callbackTimeout(rt: Runtime, stateName: string, token: string): { clear: () => void } {
    const seconds = rt.derived.callbackTimeouts.get(stateName);
    if (seconds === undefined) return { clear: () => {} };
    const since = Date.parse(rt.record.pendingTask?.token === token && rt.record.pendingTask.since ? rt.record.pendingTask.since : this.clock.now().toISOString());
    const waiter: Waiter = {
      rt,
      stateName,
      dueAt: since + seconds * 1000,
      seq: this.waiterSeq++,
      release: () => {
        const pending = this.tokens.get(token);
        if (!pending) return;
        this.tokens.delete(token);
        void this.closeToken(pending, token).then(() => pending.reject(new TaskFailure('States.Timeout', `${stateName} timed out after ${seconds} s (local clock)`)));
      },
      fail: () => {},
    };
    this.waiters.push(waiter);
    return {
      clear: () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      },
    };
  }

  private async callbackBody(
    rt: Runtime,
    machine: Registered,
    stateName: string,
    rawTaskInput: unknown,
    placeholder: string,
  ): Promise<unknown> {
    await this.drain(rt);
    const resumedTask = rt.resume?.pendingTask;
    let token: string;
    let pending: { promise: Promise<unknown>; markBlocked: () => void };
    const register = (t: string) =>
      this.block<unknown>(rt, (resolve, reject) => {
        this.tokens.set(t, {
          rt,
          stateName,
          resolve,
          reject,
        });
      });
    try {
      if (resumedTask && resumedTask.stateName === stateName && rt.resume?.stateName === stateName) {
        delete rt.resume.pendingTask;
        token = resumedTask.token;
        pending = register(token);
      } else {
        token = encodeToken(rt.record.executionArn, stateName);
        const input = replaceString(rawTaskInput, placeholder, token);
        const resource = String(((rt.derived.definition.States as Record<string, { Resource?: string }>)[stateName] ?? {}).Resource ?? '');
        this.appendEvent(rt, { type: 'TaskScheduled', stateName, input: { resource, parameters: input } });
        this.appendEvent(rt, { type: 'TaskStarted', stateName });
        rt.record.pendingTask = { stateName, token, since: this.clock.now().toISOString() };
        rt.dirty = true;
        await this.save(rt);
        pending = register(token);
        const handler = machine.handlers[stateName];
        try {
          if (handler) await handler(input, { taskToken: token, executionArn: rt.record.executionArn, stateName });
          else this.log(`workflow ${rt.record.stateMachineName}: no handler for ${stateName}; token ${token}`);
        } catch (error) {
          this.tokens.get(token)?.resolve(null); // settles the registration; the task fails with the handler's error
          this.tokens.delete(token);
          delete rt.record.pendingTask;
          rt.record.closedTokens = [...(rt.record.closedTokens ?? []), token];
          rt.dirty = true;
          throw error;
        }
        this.appendEvent(rt, { type: 'TaskSubmitted', stateName });
      }
      const timeout = this.callbackTimeout(rt, stateName, token);
      pending.markBlocked();
      const output = await pending.promise.finally(timeout.clear);
      this.appendEvent(rt, { type: 'TaskSucceeded', stateName, output });
      return output;
    } catch (error) {
      this.appendEvent(rt, { type: 'TaskFailed', stateName, ...errorParts(error) });
      throw error;
    }
  }
}

interface LibEvent {
  type: string;
  index?: number;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  parentState?: { name: string };
  output?: unknown;
  Error?: unknown;
  Cause?: unknown;
}

const detailsKey: Record<string, string> = {
  ExecutionStarted: 'executionStartedEventDetails',
  ExecutionSucceeded: 'executionSucceededEventDetails',
  ExecutionFailed: 'executionFailedEventDetails',
  TaskScheduled: 'taskScheduledEventDetails',
  TaskStarted: 'taskStartedEventDetails',
  TaskSubmitted: 'taskSubmittedEventDetails',
  TaskSucceeded: 'taskSucceededEventDetails',
  TaskFailed: 'taskFailedEventDetails',
  TaskTimedOut: 'taskTimedOutEventDetails',
  MapIterationStarted: 'mapIterationStartedEventDetails',
  MapIterationSucceeded: 'mapIterationSucceededEventDetails',
  MapIterationFailed: 'mapIterationFailedEventDetails',
};

function toHistoryEvent(event: StoredEvent) {
  const base = { id: event.id, previousEventId: event.previousEventId, timestamp: new Date(event.timestamp), type: event.type };
  if (event.type.endsWith('StateEntered')) return { ...base, stateEnteredEventDetails: { name: event.stateName, input: json(event.input) } };
  if (event.type.endsWith('StateExited')) return { ...base, stateExitedEventDetails: { name: event.stateName, output: json(event.output) } };
  const key = detailsKey[event.type];
  if (!key) return base;
  const details: Record<string, unknown> = {};
  if (event.type === 'ExecutionStarted') details.input = json(event.input);
  if (event.type === 'TaskScheduled') {
    const scheduled = (event.input ?? {}) as { resource?: string; parameters?: unknown };
    details.resourceType = 'local';
    details.resource = scheduled.resource === LOCAL_WAIT_RESOURCE ? 'wait' : scheduled.resource;
    details.region = 'local';
    details.parameters = json(scheduled.parameters);
  }
  if (event.output !== undefined) details.output = json(event.output);
  if (event.error !== undefined) details.error = event.error;
  if (event.cause !== undefined) details.cause = event.cause;
  if (event.stateName !== undefined && event.type.startsWith('Task')) details.resource = details.resource ?? event.stateName;
  if (event.stateName !== undefined && event.type.startsWith('Map')) details.name = event.stateName;
  return { ...base, [key]: details };
}

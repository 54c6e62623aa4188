/**
 * The local-only transformation of an ASL definition before it runs (the ASL file is untouched):
 * - every Wait becomes a Task of the same name whose local handler waits for the local clock
 *   (the handler applies the Wait's InputPath itself and passes the input through; OutputPath,
 *   Next/End stay on the state);
 * - `.waitForTaskToken` tasks and transformed waits get the longest real-time timeout the library
 *   can hold (their time is the local clock, not real seconds);
 * - `$$.Execution.Input` / `$$.Execution.StartTime` in payload templates are replaced by the
 *   execution's values (the library overwrites them with the values of the current run, which
 *   after a resume would be the state's input and the resume time);
 * - StartAt can be moved to the state an execution was in (resume).
 */
import { parseReferencePath, readPath } from './jsonpath.js';

export interface WaitSpec {
  Seconds?: number;
  SecondsPath?: string;
  Timestamp?: string;
  TimestampPath?: string;
  InputPath?: string | null;
}

export interface DerivedDefinition {
  definition: Record<string, unknown>;
  /** Top-level state names. */
  topStates: Set<string>;
  waits: Map<string, WaitSpec>;
  callbackTasks: Set<string>;
  /** The ASL's TimeoutSeconds of callback tasks: they time out on the local clock, not in real time. */
  callbackTimeouts: Map<string, number>;
  /** Task states that call a registered handler, with their Resource. */
  tasks: Map<string, string>;
}

/** setTimeout's maximum (~24.8 days): the library races every Task against a real-time timer. */
export const MAX_TASK_TIMEOUT_SECONDS = 2_147_483;
export const LOCAL_WAIT_RESOURCE = 'arn:aws:states:::local:wait';

type Json = Record<string, unknown>;

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function rewriteTemplate(template: unknown, contextValues: Json): unknown {
  if (Array.isArray(template)) return template.map((item) => rewriteTemplate(item, contextValues));
  if (template === null || typeof template !== 'object') return template;
  const out: Json = {};
  for (const [key, value] of Object.entries(template as Json)) {
    if (key.endsWith('.$') && typeof value === 'string' && /^\$\$\.Execution\.(Input|StartTime)(?![A-Za-z0-9_])/.test(value)) {
      const path = value.slice(1); // "$$.Execution.Input.x" → "$.Execution.Input.x"
      if (parseReferencePath(path)) {
        out[key.slice(0, -2)] = readPath(path, contextValues);
        continue;
      }
    }
    out[key] = rewriteTemplate(value, contextValues);
  }
  return out;
}

function transformStates(states: Json, result: DerivedDefinition, contextValues: Json): Json {
  const out: Json = {};
  for (const [name, raw] of Object.entries(states)) {
    const state = raw as Json;
    for (const field of ['Parameters', 'ResultSelector', 'ItemSelector']) {
      if (field in state) state[field] = rewriteTemplate(state[field], contextValues);
    }
    if (state.Type === 'Wait') {
      result.waits.set(name, {
        ...(state.Seconds !== undefined ? { Seconds: state.Seconds as number } : {}),
        ...(state.SecondsPath !== undefined ? { SecondsPath: state.SecondsPath as string } : {}),
        ...(state.Timestamp !== undefined ? { Timestamp: state.Timestamp as string } : {}),
        ...(state.TimestampPath !== undefined ? { TimestampPath: state.TimestampPath as string } : {}),
        ...('InputPath' in state ? { InputPath: state.InputPath as string | null } : {}),
      });
      const task: Json = { Type: 'Task', Resource: LOCAL_WAIT_RESOURCE, TimeoutSeconds: MAX_TASK_TIMEOUT_SECONDS };
      for (const keep of ['Comment', 'OutputPath', 'Next', 'End']) if (keep in state) task[keep] = state[keep];
      out[name] = task;
      continue;
    }
    if (state.Type === 'Task') {
      const resource = String(state.Resource);
      if (resource.endsWith('.waitForTaskToken')) {
        result.callbackTasks.add(name);
        if (typeof state.TimeoutSeconds === 'number') result.callbackTimeouts.set(name, state.TimeoutSeconds);
        state.TimeoutSeconds = MAX_TASK_TIMEOUT_SECONDS;
        delete state.TimeoutSecondsPath;
        delete state.HeartbeatSeconds;
        delete state.HeartbeatSecondsPath;
      } else {
        result.tasks.set(name, resource);
      }
    }
    if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
      state.Branches = (state.Branches as Json[]).map((branch) => ({
        ...branch,
        States: transformStates(branch.States as Json, result, contextValues),
      }));
    }
    if (state.Type === 'Map') {
      for (const field of ['Iterator', 'ItemProcessor']) {
        const sub = state[field] as Json | undefined;
        if (sub) state[field] = { ...sub, States: transformStates(sub.States as Json, result, contextValues) };
      }
    }
    out[name] = state;
  }
  return out;
}

export function deriveDefinition(
  original: object,
  options: { startAt?: string; executionInput: unknown; executionStartTime: string },
): DerivedDefinition {
  const definition = clone(original) as Json;
  const result: DerivedDefinition = {
    definition,
    topStates: new Set(Object.keys(definition.States as Json)),
    waits: new Map(),
    callbackTasks: new Set(),
    callbackTimeouts: new Map(),
    tasks: new Map(),
  };
  const contextValues = { Execution: { Input: options.executionInput, StartTime: options.executionStartTime } };
  definition.States = transformStates(definition.States as Json, result, contextValues);
  if (options.startAt !== undefined) definition.StartAt = options.startAt;
  // Execution-level TimeoutSeconds is a real-time timer in the library: meaningless under the local clock.
  delete definition.TimeoutSeconds;
  return result;
}

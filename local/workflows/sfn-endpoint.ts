/**
 * A Step Functions API endpoint for the local workflows, so the AWS CLI and SDK can look at them:
 * `aws stepfunctions list-executions --state-machine-arn ... --endpoint-url http://127.0.0.1:<port>`.
 *
 * Speaks the JSON 1.0 protocol of the real service: POST /, `X-Amz-Target: AWSStepFunctions.<Operation>`,
 * a JSON body; timestamps as epoch seconds; errors as status 400 `{ "__type": "<ErrorName>", "message" }`.
 * Requests are not authenticated (any credentials, any region): it is meant for 127.0.0.1 only.
 *
 * Operations: ListStateMachines, DescribeStateMachine, DescribeStateMachineForExecution, StartExecution,
 * ListExecutions, DescribeExecution, GetExecutionHistory, SendTaskSuccess, SendTaskFailure.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { stateMachineArn, WorkflowApiError, type LocalWorkflows } from './runner.js';

export interface StepFunctionsEndpointOptions {
  /** One line per request (operation, status, duration); never tokens, inputs or outputs. */
  log?: (line: string) => void;
  /** Largest request body accepted; default 1 MiB (the service's own payload limit is 256 KiB). */
  maxBodyBytes?: number;
}

const TARGET_PREFIX = 'AWSStepFunctions.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/local-workflows';
const STATUSES = new Set(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']);
const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:[^:]*:\d{12}:stateMachine:([^:]+)$/;
const EXECUTION_ARN = /^arn:aws[\w-]*:states:[^:]*:\d{12}:execution:([^:]+):([^:]+)$/;
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

type Body = Record<string, unknown>;
type Operation = (body: Body) => Promise<object>;

/** A registered state machine as this endpoint sees it. */
interface MachineView {
  name: string;
  definition: object;
  registeredAt?: Date;
}

const fail = (name: string, message: string) => new WorkflowApiError(name, message);

function requiredString(body: Body, key: string): string {
  const value = body[key];
  if (value === undefined || value === null || value === '') throw fail('MissingRequiredParameter', `${key} is required`);
  if (typeof value !== 'string') throw fail('ValidationException', `${key} must be a string`);
  return value;
}

function optionalString(body: Body, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw fail('ValidationException', `${key} must be a string`);
  return value;
}

function machineNameOf(arn: string): string {
  const match = STATE_MACHINE_ARN.exec(arn);
  if (!match) throw fail('InvalidArn', `Invalid Arn: '${arn}'`);
  return match[1]!;
}

function checkExecutionArn(arn: string): void {
  if (!EXECUTION_ARN.test(arn)) throw fail('InvalidArn', `Invalid Arn: '${arn}'`);
}

function parseJson(text: string, errorName: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw fail(errorName, `${what} is not valid JSON`);
  }
}

/** maxResults/nextToken as the service does them: 0 or absent = 100 items a page, at most 1000; opaque token. */
function page<T>(items: T[], body: Body): { items: T[]; nextToken?: string } {
  const max = body.maxResults ?? 0;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 0 || max > 1000) {
    throw fail('ValidationException', 'maxResults must be an integer from 0 to 1000');
  }
  const size = max === 0 ? 100 : max;
  const token = optionalString(body, 'nextToken');
  let offset = 0;
  if (token !== undefined) {
    const decoded = (() => {
      try {
        return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown };
      } catch {
        return undefined;
      }
    })();
    if (!decoded || typeof decoded.o !== 'number' || !Number.isInteger(decoded.o) || decoded.o < 0) {
      throw fail('InvalidToken', 'Invalid Token');
    }
    offset = decoded.o;
  }
  const slice = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length ? { items: slice, nextToken: Buffer.from(JSON.stringify({ o: next })).toString('base64url') } : { items: slice };
}

/** Dates become epoch seconds (with milliseconds as the fraction), as the JSON protocol expects. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toWire(v)]));
  }
  return value;
}

/** The registered state machines. */
function registeredMachines(workflows: LocalWorkflows): MachineView[] {
  return workflows.stateMachines();
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(fail('ValidationException', `request body larger than ${limit} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function createStepFunctionsEndpoint(workflows: LocalWorkflows, options: StepFunctionsEndpointOptions = {}): Server {
  const log = options.log ?? ((line: string) => console.log(line));
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  /** Fallback creationDate: when this endpoint first saw the machine (LocalWorkflows does not record it). */
  const firstSeen = new Map<string, Date>();

  const machines = (): MachineView[] =>
    registeredMachines(workflows)
      .map((m) => {
        if (!firstSeen.has(m.name)) firstSeen.set(m.name, new Date());
        return { ...m, registeredAt: m.registeredAt ?? firstSeen.get(m.name)! };
      })
      .sort((a, b) => a.name.localeCompare(b.name));

  const machine = (arn: string): MachineView & { registeredAt: Date } => {
    const name = machineNameOf(arn);
    const found = machines().find((m) => m.name === name);
    if (!found || stateMachineArn(name) !== arn) throw fail('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return found as MachineView & { registeredAt: Date };
  };

  const describeExecution = async (arn: string) => {
    checkExecutionArn(arn);
    const { local: _local, ...described } = await workflows.describeExecution(arn);
    return described;
  };

  const operations: Record<string, Operation> = {
    ListStateMachines: async (body) => {
      const { items, nextToken } = page(machines(), body);
      return {
        stateMachines: items.map((m) => ({ stateMachineArn: stateMachineArn(m.name), name: m.name, type: 'STANDARD', creationDate: m.registeredAt })),
        nextToken,
      };
    },

    DescribeStateMachine: async (body) => {
      const m = machine(requiredString(body, 'stateMachineArn'));
      return {
        stateMachineArn: stateMachineArn(m.name),
        name: m.name,
        status: 'ACTIVE',
        definition: JSON.stringify(m.definition, null, 2),
        roleArn: ROLE_ARN,
        type: 'STANDARD',
        creationDate: m.registeredAt,
      };
    },

    DescribeStateMachineForExecution: async (body) => {
      const execution = await describeExecution(requiredString(body, 'executionArn'));
      const m = machine(execution.stateMachineArn);
      return {
        stateMachineArn: execution.stateMachineArn,
        name: m.name,
        definition: JSON.stringify(m.definition, null, 2),
        roleArn: ROLE_ARN,
        updateDate: m.registeredAt,
      };
    },

    StartExecution: async (body) => {
      const m = machine(requiredString(body, 'stateMachineArn'));
      const name = optionalString(body, 'name') ?? randomUUID();
      if (!EXECUTION_NAME.test(name)) throw fail('InvalidName', `Invalid Name: '${name}'`);
      const input = parseJson(optionalString(body, 'input') ?? '{}', 'InvalidExecutionInput', 'input');
      const started = await workflows.startExecution(m.name, name, input);
      return { executionArn: started.executionArn, startDate: started.startDate };
    },

    ListExecutions: async (body) => {
      const arn = requiredString(body, 'stateMachineArn');
      const name = machineNameOf(arn);
      const status = optionalString(body, 'statusFilter');
      if (status !== undefined && !STATUSES.has(status)) throw fail('ValidationException', `statusFilter must be one of ${[...STATUSES].join(', ')}`);
      const { executions } = await workflows.listExecutions(name);
      // Executions of a machine not (yet) registered in this process are still listed.
      if (stateMachineArn(name) !== arn || (executions.length === 0 && !machines().some((m) => m.name === name))) {
        throw fail('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
      }
      const { items, nextToken } = page(
        executions.filter((e) => status === undefined || e.status === status),
        body,
      );
      return { executions: items, nextToken };
    },

    DescribeExecution: async (body) => describeExecution(requiredString(body, 'executionArn')),

    GetExecutionHistory: async (body) => {
      const arn = requiredString(body, 'executionArn');
      checkExecutionArn(arn);
      const { events } = await workflows.getExecutionHistory(arn);
      const ordered = body.reverseOrder === true ? [...events].reverse() : events;
      const withData =
        body.includeExecutionData === false
          ? ordered.map((event) =>
              Object.fromEntries(
                Object.entries(event).map(([k, v]) => {
                  if (!k.endsWith('EventDetails') || !v || typeof v !== 'object') return [k, v];
                  const { input: _input, output: _output, ...rest } = v as Record<string, unknown>;
                  return [k, rest];
                }),
              ),
            )
          : ordered;
      const { items, nextToken } = page(withData, body);
      return { events: items, nextToken };
    },

    SendTaskSuccess: async (body) => {
      const token = requiredString(body, 'taskToken');
      const output = requiredString(body, 'output');
      parseJson(output, 'InvalidOutput', 'output');
      await workflows.sendTaskSuccess(token, output);
      return {};
    },

    SendTaskFailure: async (body) => {
      const token = requiredString(body, 'taskToken');
      await workflows.sendTaskFailure(token, optionalString(body, 'error'), optionalString(body, 'cause'));
      return {};
    },
  };

  const send = (res: ServerResponse, status: number, payload: unknown, errorType?: string): void => {
    const text = JSON.stringify(toWire(payload));
    res.writeHead(status, {
      'content-type': CONTENT_TYPE,
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<{ operation: string; status: number; errorType?: string }> => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operationName = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target || '-';
    const reply = (status: number, error: Error) => {
      send(res, status, { __type: error.name, message: error.message }, error.name);
      return { operation: operationName, status, errorType: error.name };
    };
    try {
      if (req.method !== 'POST') {
        req.resume();
        return reply(405, fail('UnknownOperationException', `${req.method ?? ''} is not supported: the JSON 1.0 protocol uses POST /`));
      }
      const body = await readBody(req, maxBodyBytes);
      const operation = target.startsWith(TARGET_PREFIX) ? operations[operationName] : undefined;
      if (!operation || !Object.hasOwn(operations, operationName)) {
        return reply(400, fail('UnknownOperationException', `Unknown operation: ${target || '(no X-Amz-Target header)'}`));
      }
      const parsed = body.trim() === '' ? {} : parseJson(body, 'SerializationException', 'request body');
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw fail('SerializationException', 'request body must be a JSON object');
      const result = await operation(parsed as Body);
      send(res, 200, result);
      return { operation: operationName, status: 200 };
    } catch (error) {
      if (error instanceof WorkflowApiError) return reply(400, error);
      return reply(500, fail('InternalFailure', error instanceof Error ? error.message : String(error)));
    }
  };

  return createServer((req, res) => {
    const started = performance.now();
    handle(req, res)
      .then(({ operation, status, errorType }) =>
        log(`sfn ${operation} ${status}${errorType ? ` ${errorType}` : ''} ${(performance.now() - started).toFixed(1)}ms`),
      )
      .catch((error: unknown) => {
        log(`sfn request failed: ${error instanceof Error ? error.name : 'error'}`);
        if (!res.headersSent) send(res, 500, { __type: 'InternalFailure', message: 'internal error' }, 'InternalFailure');
        else res.destroy();
      });
  });
}

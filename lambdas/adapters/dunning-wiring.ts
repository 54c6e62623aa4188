/**
 * Builds the dunning use-cases from configuration: Step Functions in AWS
 * (DUNNING_STATE_MACHINE_ARN), the embedded stack's local workflows otherwise.
 * Policies: the built-in ones plus DUNNING_POLICY_JSON (one policy or an array), validated
 * at cold start — an invalid policy fails the start, naming the field.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { SendTaskSuccessCommand, SFNClient, StartExecutionCommand, ExecutionAlreadyExists } from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { stuckLogMessage } from '../domain/dunning/case.js';
import { Dunning, type WorkflowPort } from '../domain/dunning/process.js';
import { builtInPolicies, parseDunningPolicy, type DunningPolicy } from '../domain/dunning/index.js';
import { ConflictError } from '../domain/errors.js';
import { clock } from './clock.js';
import { loadConfig } from './config.js';
import { documentClient } from './dynamo/client.js';
import { DynamoBillingRepository } from './dynamo/billing-repository.js';
import { DynamoCustomerRepository } from './dynamo/customer-repository.js';
import { DynamoDunningRepository } from './dynamo/dunning-repository.js';
import { randomIds } from './ids.js';
import { DynamoDeliveryRepository } from './dynamo/delivery-repository.js';
import { documentOrderQueue } from './document-order-queue.js';
import type { LetterPort } from '../domain/dunning/process.js';
import { businessMetrics, traced } from './observability.js';

const schema = z.object({
  UTILITY_COUNTRY: z.enum(['SE', 'FI', 'NO']),
  /** Set in AWS: the dunning state machine. Locally the embedded stack installs its workflows. */
  DUNNING_STATE_MACHINE_ARN: z.string().startsWith('arn:').optional(),
  DUNNING_POLICY_JSON: z.string().optional(),
  /** Banking days a case may wait for a payment file ("no payment file booked since …") before it is stuck. */
  DUNNING_STUCK_AFTER_BANKING_DAYS: z.coerce.number().int().min(1).max(60).default(5),
});

const logger = new Logger({ serviceName: 'nordic-utility-service' });

let installedWorkflow: WorkflowPort | undefined;

/** The embedded stack installs its local workflows here; handlers never call it. */
export function installDunningWorkflow(port: WorkflowPort): void {
  installedWorkflow = port;
}

class StepFunctionsWorkflow implements WorkflowPort {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  executionArnFor(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  async startExecution(name: string, input: { invoiceId: string; caseId: string }) {
    try {
      // Standard workflows: the same name and input within 90 days returns the running execution.
      const requestedAt = Date.now();
      const result = await this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: JSON.stringify(input) }));
      // A running execution with this name and input is returned as it is: its start is older than this call.
      const alreadyStarted = result.startDate !== undefined && result.startDate.getTime() < requestedAt - 60_000;
      return { executionArn: result.executionArn ?? this.executionArnFor(name), alreadyStarted };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return { executionArn: this.executionArnFor(name), alreadyStarted: true };
      throw error;
    }
  }

  async sendTaskSuccess(taskToken: string, output: unknown): Promise<void> {
    try {
      await this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'TaskTimedOut' || name === 'InvalidToken' || name === 'TaskDoesNotExist') throw new ConflictError('The case stopped waiting for this answer; read it again.');
      throw error;
    }
  }
}

export function dunningPolicies(json: string | undefined): readonly DunningPolicy[] {
  if (!json) return builtInPolicies;
  const parsed: unknown = JSON.parse(json);
  const extra = (Array.isArray(parsed) ? parsed : [parsed]).map((p) => parseDunningPolicy(p));
  return [...builtInPolicies.filter((b) => !extra.some((e) => e.country === b.country)), ...extra];
}

/** A port for code that never starts or resumes executions (the payment import's ledger date). */
const noWorkflow: WorkflowPort = {
  startExecution: () => Promise.reject(new Error('this function has no dunning state machine')),
  sendTaskSuccess: () => Promise.reject(new Error('this function has no dunning state machine')),
  executionArnFor: (name) => name,
};

/**
 * For the payment import: after a whole file is booked, the ledger holds the money valued up
 * to the file's latest value date (today for a file with no payments) (R-FI-10).
 */
export function buildPaymentLedger(): { fileBooked(valueDate?: string): Promise<void> } {
  const dunning = build(noWorkflow).dunning;
  return { fileBooked: (valueDate) => dunning.paymentFileBooked(valueDate) };
}

export function buildDunning(): { dunning: Dunning; repo: DynamoDunningRepository } {
  const config = loadConfig();
  const env = schema.parse(process.env);
  const workflow = env.DUNNING_STATE_MACHINE_ARN ? new StepFunctionsWorkflow(traced(new SFNClient({ region: config.AWS_REGION })), env.DUNNING_STATE_MACHINE_ARN) : installedWorkflow;
  if (!workflow) throw new Error('DUNNING_STATE_MACHINE_ARN is required outside the embedded stack');
  return build(workflow);
}

/** The letters of the ladder: ordered on the delivery queue; their deliveries read from the table. */
function letterPort(db: ReturnType<typeof documentClient>, tableName: string): LetterPort | undefined {
  const queue = documentOrderQueue();
  if (!queue) return undefined;
  const deliveries = new DynamoDeliveryRepository(db, tableName);
  return { order: (order) => queue.order(order), deliveries: (documentIds) => Promise.all(documentIds.map((id) => deliveries.getDelivery(id))) };
}

function build(workflow: WorkflowPort): { dunning: Dunning; repo: DynamoDunningRepository } {
  const config = loadConfig();
  const env = schema.parse(process.env);
  const db = documentClient(config);
  const billing = new DynamoBillingRepository(db, config.TABLE_NAME);
  const customers = new DynamoCustomerRepository(db, config.TABLE_NAME);
  const repo = new DynamoDunningRepository(db, config.TABLE_NAME, {
    getInvoice: (id) => billing.getInvoice(id),
    getCustomer: (id) => customers.getCustomer(id),
    facilitiesOf: (id) => billing.facilitiesOf(id),
  });
  const letters = workflow === noWorkflow ? undefined : letterPort(db, config.TABLE_NAME);
  const dunning = new Dunning({
    repo,
    workflow,
    policies: dunningPolicies(env.DUNNING_POLICY_JSON),
    country: env.UTILITY_COUNTRY,
    now: () => clock().now(),
    newId: (prefix) => randomIds.newId(prefix),
    stuckAfterBankingDays: env.DUNNING_STUCK_AFTER_BANKING_DAYS,
    onStuck: ({ caseId, since, bankingDays }) => logger.warn(stuckLogMessage, { event: 'dunning_case_stuck', caseId, since, bankingDays }),
    ...(letters ? { letters } : {}),
    metrics: businessMetrics,
  });
  return { dunning, repo };
}

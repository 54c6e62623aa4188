/** Errors named like the Step Functions API exceptions, so callers can branch on `error.name`. */
export class WorkflowApiError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export const apiError = {
  invalidDefinition: (message: string) => new WorkflowApiError('InvalidDefinition', message),
  stateMachineDoesNotExist: (name: string) => new WorkflowApiError('StateMachineDoesNotExist', `State machine does not exist: ${name}`),
  executionDoesNotExist: (arn: string) => new WorkflowApiError('ExecutionDoesNotExist', `Execution does not exist: ${arn}`),
  executionAlreadyExists: (arn: string) =>
    new WorkflowApiError('ExecutionAlreadyExists', `Execution already exists with a different input: ${arn}`),
  taskDoesNotExist: (message = 'Task does not exist') => new WorkflowApiError('TaskDoesNotExist', message),
  taskTimedOut: () => new WorkflowApiError('TaskTimedOut', 'Task Timed Out: Provided task does not exist anymore'),
};

/** An error thrown into a running task state (sendTaskFailure): its name is what Retry/Catch match. */
export class TaskFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

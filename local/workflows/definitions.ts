/**
 * The state machines the embedded stack runs: the same ASL files CDK deploys, with the
 * definition substitutions CDK would make replaced by local ARNs, and every
 * `arn:aws:states:::lambda:invoke` Task answered in process by the same handler the Lambda
 * function runs (its result wrapped as Lambda's invoke result: `{ Payload, StatusCode }`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TaskHandler } from './runner.js';

export const dunningDefinitionFile = fileURLToPath(new URL('../../statemachines/dunning.asl.json', import.meta.url));

/** The `${Name}` placeholders of an ASL file (what CDK's definitionSubstitutions must provide). */
export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] as string))].sort();
}

export function substitute(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No substitution for \${${name}}`);
    return value;
  });
}

export const localFunctionArn = (name: string) => `arn:aws:lambda:eu-north-1:000000000000:function:${name}`;

export function localDunningDefinition(): object {
  return JSON.parse(substitute(readFileSync(dunningDefinitionFile, 'utf8'), { DunningTaskFunctionArn: localFunctionArn('dunning-tasks') })) as object;
}

/** A local handler per lambda:invoke Task state of the file, all calling `handler` with the Payload. */
export function lambdaInvokeHandlers(file: string, handler: (payload: never) => Promise<unknown>): Record<string, TaskHandler> {
  const definition = JSON.parse(readFileSync(file, 'utf8')) as { States: Record<string, { Type: string; Resource?: string }> };
  const handlers: Record<string, TaskHandler> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task' || !state.Resource?.startsWith('arn:aws:states:::lambda:invoke')) continue;
    const callback = state.Resource.endsWith('.waitForTaskToken');
    handlers[name] = async (input) => {
      const payload = (input as { Payload?: unknown }).Payload;
      const result = await handler(payload as never);
      return callback ? null : { ExecutedVersion: '$LATEST', Payload: result ?? null, StatusCode: 200 };
    };
  }
  return handlers;
}

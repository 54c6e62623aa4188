/**
 * Synthesizes the app the way `cdk synth` does (the same buildApp, the same cdk.json
 * context and feature flags) but with esbuild bundling skipped
 * (`aws:cdk:bundling-stacks: []`), so infra tests take seconds.
 */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type BuildAppProps, type BuiltApp } from '../../lib/app.js';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};

export const cdkJsonContext: Readonly<Record<string, unknown>> = cdkJson.context;
export const cdkJsonApp = cdkJson.app;

export function testApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [], ...context } });
}

export interface Synthesized extends BuiltApp {
  readonly template: Template;
}

/** Builds and synthesizes (cdk-nag included: a violation makes this throw). */
export function synthesize(context: Record<string, unknown> = {}, props: Omit<BuildAppProps, 'app'> = {}): Synthesized {
  const built = buildApp({ ...props, app: testApp(context) });
  return { ...built, template: Template.fromStack(built.stack) };
}

type Resource = { Type: string; Properties?: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

export function resourcesOfType(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

export function onlyResource(template: Template, type: string): [string, Resource] {
  const entries = Object.entries(resourcesOfType(template, type));
  if (entries.length !== 1) throw new Error(`Expected one ${type}, found ${entries.length}`);
  return entries[0]!;
}

/** The one resource of a type whose logical id contains `idPart` (e.g. the operations `AlarmTopic` beside other topics). */
export function onlyResourceNamed(template: Template, type: string, idPart: string): [string, Resource] {
  const entries = Object.entries(resourcesOfType(template, type)).filter(([id]) => id.includes(idPart));
  if (entries.length !== 1) throw new Error(`Expected one ${type} named *${idPart}*, found ${entries.length}`);
  return entries[0]!;
}

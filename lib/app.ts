/**
 * The composition of the CDK app, shared by bin/app.ts and the infra tests so that the
 * tests synthesize exactly what `cdk synth` does: the stack plus cdk-nag's AwsSolutions
 * rules, registered as a policy validation plugin (cdk-nag 3; no longer an aspect).
 */
import { App, Validations, type AppProps, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { RouteDefinition } from '../lambdas/http/routes.js';
import type { OutageAlertSettings } from './alert-settings.js';
import { UtilityServiceStack } from './utility-service-stack.js';
import type { UtilitySettings } from './utility-settings.js';

export const stackId = 'UtilityServiceStack';

export interface BuildAppProps {
  /** An App to build into (tests pass one with their context). @default new App(appProps) */
  readonly app?: App;
  readonly appProps?: AppProps;
  readonly env?: Environment;
  readonly corsOrigins?: readonly string[];
  /** @default the route table of lambdas/http/routes.ts */
  readonly routes?: readonly RouteDefinition[];
  /** @default the context key `alerts` */
  readonly alerts?: OutageAlertSettings;
  /** @default the context key `utility` */
  readonly utility?: UtilitySettings;
  /** @default true */
  readonly nag?: boolean;
}

export interface BuiltApp {
  readonly app: App;
  readonly stack: UtilityServiceStack;
  readonly nag?: AwsSolutionsChecks;
}

export function buildApp(props: BuildAppProps = {}): BuiltApp {
  const app = props.app ?? new App(props.appProps);
  const stack = new UtilityServiceStack(app, stackId, {
    description: 'Nordic utility customer service backend',
    env: props.env,
    corsOrigins: props.corsOrigins,
    routes: props.routes,
    alerts: props.alerts,
    utility: props.utility,
  });
  let nag: AwsSolutionsChecks | undefined;
  if (props.nag ?? true) {
    // A violation that is not acknowledged (Validations.of(construct).acknowledge) fails
    // synthesis and is written to cdk.out/validation-report.json.
    nag = new AwsSolutionsChecks(app, { verbose: true });
    Validations.of(app).addPlugins(nag);
  }
  return { app, stack, nag };
}

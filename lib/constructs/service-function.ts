/**
 * The defaults every Lambda of the service shares: Node.js 22 on arm64, one esbuild ESM
 * bundle with the AWS SDK inside (the version we test against, not the runtime's),
 * source maps, active X-Ray tracing with the Powertools Tracer, business metrics in the
 * stack's namespace (lambdas/adapters/observability.ts), and an explicit log group with a
 * retention (instead of the deprecated `logRetention` custom resource).
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { serviceName } from '../../lambdas/adapters/service-name.js';
import { fromRepoRoot, repoRoot } from '../paths.js';

export const serviceRuntime = Runtime.NODEJS_22_X;
export const logRetention = RetentionDays.THREE_MONTHS;

/**
 * In an ES module bundle esbuild turns a `require()` left in bundled CommonJS code (of a
 * Node built-in, say) into a shim that throws "Dynamic require ... is not supported".
 * Today's bundles contain none (the SDK and our dependencies resolve to their ES builds
 * with mainFields module,main), so this is a guard for the next CommonJS dependency.
 */
export const esmRequireBanner =
  "import { createRequire as __nusCreateRequire } from 'node:module'; const require = __nusCreateRequire(import.meta.url);";

/**
 * Packages a bundle gets in a smaller form, as esbuild `alias` entries (paths from the repository
 * root): moment-timezone with only the service's countries' zones (its full data is 730 KB that
 * every calendar-using function parsed at each cold start; lambdas/adapters/moment-timezone-nordic.ts).
 */
export const bundleAliases: Readonly<Record<string, string>> = {
  'moment-timezone': './lambdas/adapters/moment-timezone-nordic.ts',
};

/**
 * The CloudWatch namespace of the service's business metrics: one per stack, so two
 * deployments in one account and region (a test and a production stack) never add up.
 */
export function metricsNamespace(stack: Stack): string {
  return `NordicUtility/${stack.stackName}`;
}

/**
 * What every function reads for its metrics and traces (Powertools): the namespace and the
 * `service` dimension; handler responses and error messages are never put on a trace (they
 * may carry personal data; the logs have the error's class).
 */
export function observabilityEnvironment(stack: Stack): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: serviceName,
    POWERTOOLS_METRICS_NAMESPACE: metricsNamespace(stack),
    POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
    POWERTOOLS_TRACER_CAPTURE_ERROR: 'false',
  };
}

export interface ServiceFunctionProps {
  /** Handler file relative to the repository root, e.g. `lambdas/http/customers.ts`. */
  readonly entry: string;
  readonly memoryMb: number;
  readonly description?: string;
  /** @default 10 seconds (an HTTP API integration gives up after 30) */
  readonly timeout?: Duration;
  readonly environment?: Readonly<Record<string, string>>;
  /** @default no reservation (the account's unreserved pool) */
  readonly reservedConcurrentExecutions?: number;
}

export class ServiceFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', { retention: logRetention });

    // An own role instead of AWSLambdaBasicExecutionRole: it may write to this
    // function's log group only (the managed policy allows every log group).
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: fromRepoRoot(props.entry),
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: fromRepoRoot('package-lock.json'),
      runtime: serviceRuntime,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMb,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        ...props.environment,
        ...observabilityEnvironment(Stack.of(this)),
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT, // a .map file next to the bundle, linked by comment
        // Stack traces need names and lines, not the sources: keeps the bundle small.
        sourcesContent: false,
        // Bundle everything, the AWS SDK included: the tested version, not the runtime's.
        externalModules: [],
        banner: esmRequireBanner,
        esbuildArgs: { '--alias': Object.entries(bundleAliases).map(([from, to]) => `${from}=${to}`) },
      },
    });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 is the chosen runtime: the version the service is developed and tested on (package.json engines, the node devDependency); moving to 24 is a deliberate upgrade, not a side effect of a CDK release.',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Added by Tracing.ACTIVE: xray:PutTraceSegments and xray:PutTelemetryRecords do not support resource-level permissions, so AWS requires Resource "*".',
    });
  }
}

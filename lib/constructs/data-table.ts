/**
 * The service's single DynamoDB table, built from the one schema in
 * lambdas/adapters/table-schema.ts (the embedded stack builds its table from it too).
 */
import { Duration, RemovalPolicy, Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { Construct, type IConstruct } from 'constructs';
import { mainTable, type KeyAttribute } from '../../lambdas/adapters/table-schema.js';

const attributeTypes: Record<KeyAttribute['type'], AttributeType> = { S: AttributeType.STRING };

function attribute(key: KeyAttribute): Attribute {
  return { name: key.name, type: attributeTypes[key.type] };
}

/** DynamoDB's throttling metrics, alarmed for the table and for each GSI. */
export const throttleMetrics = ['ReadThrottleEvents', 'WriteThrottleEvents'] as const;

export class DataTable extends Construct {
  readonly table: TableV2;
  /**
   * Throttling of the table (`table`) and of each GSI (by index name): a hot partition
   * (docs/DATA.md "Hot partitions") or a burst beyond on-demand's instant capacity.
   */
  readonly throttleAlarms: Record<string, Alarm> = {};

  constructor(scope: Construct, id: string = mainTable.id) {
    super(scope, id);

    this.table = new TableV2(this, 'Table', {
      partitionKey: attribute(mainTable.partitionKey),
      sortKey: attribute(mainTable.sortKey),
      billing: Billing.onDemand(),
      globalSecondaryIndexes: mainTable.globalSecondaryIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        projectionType: ProjectionType.ALL,
      })),
      // Idempotency-Key records (lambdas/adapters/dynamo/idempotency-store.ts) expire after 24 hours.
      timeToLiveAttribute: 'ttl',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // Encryption: the AWS managed key (aws/dynamodb), not a customer managed key.
      // Every request is authorised by IAM already and each use of the key shows in
      // CloudTrail; a customer managed key would add a key policy to own, a per-key and
      // per-request cost and, with replicas, one key per region, for a control we do not
      // need yet (cross-account access or crypto-shredding the table by revoking the key).
      // Switching later is TableEncryptionV2.customerManagedKey(key), an in-place update.
      encryption: TableEncryptionV2.awsManagedKey(),
    });

    // The table is retained and deletion-protected: pin its logical id to the schema's id
    // so a refactor of the construct tree can never plan a replacement.
    (this.table.node.defaultChild as CfnResource).overrideLogicalId(mainTable.id);

    const targets: [string, Record<string, string>][] = [
      ['table', { TableName: this.table.tableName }],
      ...mainTable.globalSecondaryIndexes.map((index): [string, Record<string, string>] => [index.indexName, { TableName: this.table.tableName, GlobalSecondaryIndexName: index.indexName }]),
    ];
    for (const [target, dimensionsMap] of targets) {
      const period = Duration.minutes(5);
      const [read, write] = throttleMetrics.map((metricName) => new Metric({ namespace: 'AWS/DynamoDB', metricName, dimensionsMap, statistic: 'Sum', period }));
      const suffix = target === 'table' ? 'Table' : target.toUpperCase();
      for (const [name, metric] of [['Read', read], ['Write', write]] as const) {
        this.throttleAlarms[`${target}.${name}`] = new Alarm(this, `${name}Throttle${suffix}Alarm`, {
          alarmDescription: `DynamoDB throttled ${name.toLowerCase()}s on ${target === 'table' ? 'the main table' : `index ${target}`} in the last 5 minutes (a hot partition or a burst: see docs/DATA.md "Hot partitions").`,
          metric: metric as Metric,
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        });
      }
    }
  }

  /** Sends every throttling alarm to `action` (the operations topic). */
  addAlarmAction(action: IAlarmAction): void {
    for (const alarm of Object.values(this.throttleAlarms)) alarm.addAlarmAction(action);
  }
}

/**
 * cdk-nag AwsSolutions-IAM5 for `grantReadData`/`grantReadWriteData` on the main table:
 * the grant includes `<table>/index/*` so that the handlers can query the GSIs. Call it on
 * the construct whose functions get the grant.
 */
export function acknowledgeTableIndexAccess(scope: IConstruct, table: TableV2): void {
  const tableLogicalId: string = Stack.of(scope).resolve((table.node.defaultChild as CfnResource).logicalId);
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${tableLogicalId}.Arn>/index/*]`,
    reason:
      'Table grant on the main table: the handlers query its GSIs (gsi1, gsi2 of table-schema.ts); "index/*" is every index of this one table, no other table.',
  });
}

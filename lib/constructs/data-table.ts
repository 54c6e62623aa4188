/**
 * The service's single DynamoDB table, built from the one schema in
 * lambdas/adapters/table-schema.ts (the embedded stack builds its table from it too).
 */
import { RemovalPolicy, Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { Construct, type IConstruct } from 'constructs';
import { mainTable, type KeyAttribute } from '../../lambdas/adapters/table-schema.js';

const attributeTypes: Record<KeyAttribute['type'], AttributeType> = { S: AttributeType.STRING };

function attribute(key: KeyAttribute): Attribute {
  return { name: key.name, type: attributeTypes[key.type] };
}

export class DataTable extends Construct {
  readonly table: TableV2;

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

import { createTableInput, mainTable } from '../../lambdas/adapters/table-schema.js';
import { onlyResource, resourcesOfType, synthesize, type Synthesized } from './synth.js';

describe('DataTable', () => {
  let synthesized: Synthesized;

  beforeAll(() => {
    // Prepare // Act
    synthesized = synthesize();
  });

  it('is one on-demand table with the schema id as its logical id, retained on delete and replace', () => {
    // Assess
    const [logicalId, table] = onlyResource(synthesized.template, 'AWS::DynamoDB::GlobalTable');
    expect(logicalId).toBe(mainTable.id);
    expect(table.Properties?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });

  it('has point-in-time recovery and deletion protection on its replica', () => {
    // Assess
    const [, table] = onlyResource(synthesized.template, 'AWS::DynamoDB::GlobalTable');
    const replicas = table.Properties?.Replicas as Array<Record<string, unknown>>;
    expect(replicas).toHaveLength(1);
    expect(replicas[0]).toMatchObject({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('is encrypted at rest with KMS (the AWS managed key)', () => {
    // Assess
    const [, table] = onlyResource(synthesized.template, 'AWS::DynamoDB::GlobalTable');
    expect(table.Properties?.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
  });

  it('has exactly the keys, attributes and GSIs (ALL projection) of table-schema.ts', () => {
    // Prepare
    const expected = createTableInput('unused');
    const byName = (a: { AttributeName?: string }, b: { AttributeName?: string }) =>
      (a.AttributeName ?? '').localeCompare(b.AttributeName ?? '');

    // Act
    const [, table] = onlyResource(synthesized.template, 'AWS::DynamoDB::GlobalTable');
    const properties = table.Properties as Record<string, unknown>;

    // Assess
    expect(properties.KeySchema).toEqual(expected.KeySchema);
    expect([...(properties.AttributeDefinitions as { AttributeName: string }[])].sort(byName)).toEqual(
      [...expected.AttributeDefinitions!].sort(byName),
    );
    expect(properties.GlobalSecondaryIndexes).toEqual(expected.GlobalSecondaryIndexes);
    expect((properties.GlobalSecondaryIndexes as unknown[]).length).toBe(mainTable.globalSecondaryIndexes.length);
  });
});

describe('DataTable throttling alarms', () => {
  it('alarm on read and write throttling of the table and of every GSI, to the operations topic', () => {
    // Prepare
    const synthesized = synthesize();
    const alarms = Object.values(resourcesOfType(synthesized.template, 'AWS::CloudWatch::Alarm'))
      .map((r) => r.Properties as Record<string, any>)
      .filter((p) => p.Namespace === 'AWS/DynamoDB');

    // Act: which (metric, index) pairs are alarmed, and where they go
    const covered = alarms.map((p) => {
      const dims = p.Dimensions as { Name: string; Value: unknown }[];
      const index = dims.find((d) => d.Name === 'GlobalSecondaryIndexName')?.Value ?? 'table';
      const tableDim = dims.find((d) => d.Name === 'TableName')?.Value;
      return { key: `${p.MetricName}:${index as string}`, table: tableDim, actions: p.AlarmActions, threshold: p.Threshold };
    });

    // Assess
    const expected = ['table', ...mainTable.globalSecondaryIndexes.map((i) => i.indexName)].flatMap((target) => [`ReadThrottleEvents:${target}`, `WriteThrottleEvents:${target}`]);
    expect(covered.map((c) => c.key).sort()).toEqual(expected.sort());
    for (const alarm of covered) {
      expect(alarm.table).toEqual({ Ref: mainTable.id });
      expect(alarm.threshold).toBe(1);
      expect(alarm.actions).toEqual([expect.objectContaining({ Ref: expect.stringMatching(/AlarmTopic/) })]);
    }
  });
});

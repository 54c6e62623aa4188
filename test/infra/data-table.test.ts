import { createTableInput, mainTable } from '../../lambdas/adapters/table-schema.js';
import { onlyResource, synthesize, type Synthesized } from './synth.js';

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

import { mainTable } from '../../lambdas/adapters/table-schema.js';
import { stackId } from '../../lib/app.js';
import { cdkJsonApp, onlyResource, synthesize, onlyResourceNamed } from './synth.js';

describe('UtilityServiceStack', () => {
  it('is the one stack of the app cdk.json runs', () => {
    // Prepare // Act
    const { app, stack } = synthesize();

    // Assess
    expect(cdkJsonApp).toBe('npx tsx bin/app.ts');
    expect(app.node.children.filter((child) => child === stack)).toHaveLength(1);
    expect(stack.node.id).toBe(stackId);
  });

  it('outputs the API URL, user pool id, client id, table name, alarm topic and dunning state machine', () => {
    // Prepare
    const { template } = synthesize();
    const [apiId] = onlyResource(template, 'AWS::ApiGatewayV2::Api');
    const [poolId] = onlyResource(template, 'AWS::Cognito::UserPool');
    const [clientId] = onlyResource(template, 'AWS::Cognito::UserPoolClient');
    const [topicId] = onlyResourceNamed(template, 'AWS::SNS::Topic', 'AlarmTopic');
    const [stateMachineId] = onlyResource(template, 'AWS::StepFunctions::StateMachine');

    // Act
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;

    // Assess
    expect(Object.keys(outputs).sort()).toEqual(['AlarmTopicArn', 'ApiUrl', 'DunningStateMachineArn', 'SmsConfigurationSetName', 'SmsInboundTopicArn', 'TableName', 'UserPoolClientId', 'UserPoolId']);
    expect(JSON.stringify(outputs.ApiUrl!.Value)).toContain(apiId);
    expect(outputs.UserPoolId!.Value).toEqual({ Ref: poolId });
    expect(outputs.UserPoolClientId!.Value).toEqual({ Ref: clientId });
    expect(outputs.TableName!.Value).toEqual({ Ref: mainTable.id });
    expect(outputs.AlarmTopicArn!.Value).toEqual({ Ref: topicId });
    expect(outputs.DunningStateMachineArn!.Value).toEqual({ Ref: stateMachineId });
  });
});

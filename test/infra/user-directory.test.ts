import { Match } from 'aws-cdk-lib/assertions';
import { roles } from '../../lambdas/domain/roles.js';
import { onlyResource, resourcesOfType, synthesize, type Synthesized } from './synth.js';

describe('UserDirectory', () => {
  let synthesized: Synthesized;

  beforeAll(() => {
    // Prepare // Act
    synthesized = synthesize();
  });

  it('has one group per role of the route table', () => {
    // Assess
    const groups = Object.values(resourcesOfType(synthesized.template, 'AWS::Cognito::UserPoolGroup')).map(
      (group) => group.Properties?.GroupName,
    );
    expect(groups.sort()).toEqual([...roles].sort());
  });

  it('allows no self sign-up, requires strong passwords and MFA, and enforces threat protection', () => {
    // Assess
    const [, pool] = onlyResource(synthesized.template, 'AWS::Cognito::UserPool');
    expect(pool.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
    expect(pool.DeletionPolicy).toBe('Retain');
  });

  it('has the custom attribute customerId, which the app client cannot write', () => {
    // Assess
    const [, pool] = onlyResource(synthesized.template, 'AWS::Cognito::UserPool');
    expect(pool.Properties?.Schema).toEqual(
      expect.arrayContaining([expect.objectContaining({ Name: 'customerId', AttributeDataType: 'String', Mutable: true })]),
    );
    const [, client] = onlyResource(synthesized.template, 'AWS::Cognito::UserPoolClient');
    expect(client.Properties?.WriteAttributes).toEqual(['email', 'phone_number']);
    expect(client.Properties).toMatchObject({ GenerateSecret: false, AllowedOAuthFlowsUserPoolClient: false });
  });
});

describe('UserDirectory: customers verify their phone (self-service alert subscriptions need phone_number_verified)', () => {
  it('verifies phone numbers by code, and keeps the verified one until a changed one is verified', () => {
    const { template } = synthesize();
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      AutoVerifiedAttributes: ['email', 'phone_number'],
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email', 'phone_number'] },
      SmsConfiguration: Match.objectLike({ SnsCallerArn: Match.anyValue() }),
    });
  });
});

/**
 * Who may call the API: a Cognito user pool with one group per role of the route table
 * (`cognito:groups`) and the `custom:customerId` attribute a customer token carries.
 * Accounts are created by staff (no self sign-up).
 */
import { Validations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  UserPoolClient,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { roles, type Role } from '../../lambdas/domain/roles.js';

/** Lower wins in Cognito; the same order as the privilege order of lambdas/http/principal.ts. */
const precedence: Record<Role, number> = { admin: 0, agent: 10, ops: 20, customer: 30 };

export class UserDirectory extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly groups: Readonly<Record<Role, UserPoolGroup>>;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      // A phone number is verified by a code Cognito sends it (GetUserAttributeVerificationCode,
      // VerifyUserAttribute): self-service alert subscriptions need `phone_number_verified`.
      // Until a changed number is verified, the verified one stays (keepOriginal).
      autoVerify: { email: true, phone: true },
      keepOriginal: { email: true, phone: true },
      standardAttributes: { email: { required: true, mutable: true }, phoneNumber: { required: false, mutable: true } },
      customAttributes: {
        // Set by staff (admin API) when a customer account is created; the app client
        // below cannot write it, so a customer cannot point their token at another customer.
        customerId: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        passwordHistorySize: 5,
        tempPasswordValidity: Duration.days(3),
      },
      // Staff see personal data (national id numbers, debts) of every customer; a second
      // factor is required for everyone. TOTP only: SMS costs and is phishable.
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Plus tier for threat protection enforced (compromised credentials, adaptive
      // authentication): the pool guards personal data (cdk-nag AwsSolutions-COG8).
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The SMS role CDK creates for phone verification codes: Cognito sends them with sns:Publish to a phone number, which has no ARN, so the resource is "*" (the role may be assumed by cognito-idp for this pool only, by its external id).',
    });

    const groups = {} as Record<Role, UserPoolGroup>;
    for (const role of roles) {
      groups[role] = this.userPool.addGroup(`Group-${role}`, {
        groupName: role,
        precedence: precedence[role],
        description: `Role "${role}" of the route table (cognito:groups).`,
      });
    }
    this.groups = groups;

    this.client = this.userPool.addClient('WebClient', {
      // Browser apps (minasidor, kundtjänst): public client, SRP sign-in, no hosted UI.
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      // Customers set their e-mail and phone (then verify them); never custom:customerId.
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true, phoneNumber: true }),
    });
  }
}

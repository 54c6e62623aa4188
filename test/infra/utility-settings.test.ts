import { parseUtilitySettings, utilityEnvironment, utilitySettingsFields, type UtilitySettings } from '../../lib/utility-settings.js';
import { cdkJsonContext, synthesize } from './synth.js';

const utility = cdkJsonContext.utility as UtilitySettings;
const norwegianPolicyFile = 'lambdas/domain/dunning/policies/no-kommune-va-2026.json';

describe('utility context', () => {
  it('is the one source of country and zone: cdk.json has them under `utility`, not under `alerts`', () => {
    // Assess
    expect(utility).toEqual({ country: 'SE', zone: 'Europe/Stockholm' });
    expect(Object.keys(cdkJsonContext.alerts as object)).not.toEqual(expect.arrayContaining(['country']));
    expect(Object.keys(cdkJsonContext.alerts as object)).not.toEqual(expect.arrayContaining(['zone']));
    expect(utilityEnvironment(utility)).toEqual({ UTILITY_COUNTRY: 'SE', UTILITY_ZONE: 'Europe/Stockholm' });
  });

  it('reaches the outage alerts and billing from the same settings', () => {
    // Act
    const { stack } = synthesize({ utility: { country: 'FI', zone: 'Europe/Helsinki' } });

    // Assess
    expect(stack.outageAlerts.environment).toMatchObject({ UTILITY_COUNTRY: 'FI', UTILITY_ZONE: 'Europe/Helsinki' });
    expect(stack.billing.environment).toMatchObject({ UTILITY_COUNTRY: 'FI' });
  });

  it('takes the utility context from the command line as a JSON string', () => {
    // Act
    const { stack } = synthesize({ utility: JSON.stringify({ country: 'NO', zone: 'Europe/Oslo', dunningPolicy: norwegianPolicyFile }) });

    // Assess
    expect(stack.outageAlerts.environment.UTILITY_ZONE).toBe('Europe/Oslo');
    expect(stack.billing.environment.UTILITY_COUNTRY).toBe('NO');
  });

  it('deploys the policy file the utility context names to the dunning functions, validated at synth', () => {
    // Act
    const { stack } = synthesize({ utility: { country: 'NO', zone: 'Europe/Oslo', dunningPolicy: norwegianPolicyFile } });

    // Assess: the Norwegian policy reaches the dunning functions (without its sources: 4 KB of environment).
    const policy = JSON.parse(stack.dunning.environment.DUNNING_POLICY_JSON!);
    expect(policy).toMatchObject({ policyId: 'no-kommune-va-2026', country: 'NO', currency: 'NOK' });
    expect(policy.sources).toBeUndefined();
    expect(stack.dunning.environment.DUNNING_POLICY_JSON!.length).toBeLessThan(2_500);
  });

  it('refuses at synth a country with no dunning policy, and a policy file that is broken or for another country', () => {
    // Act // Assess
    expect(() => synthesize({ utility: { country: 'NO', zone: 'Europe/Oslo' } })).toThrow(
      /No dunning policy for country NO: the built-in policies cover SE, FI only\. Name a policy file in the context "utility" as "dunningPolicy"/,
    );
    expect(() => synthesize({ utility: { country: 'NO', zone: 'Europe/Oslo', dunningPolicy: 'policies/nowhere.json' } })).toThrow(/cannot read the policy file/);
    expect(() => synthesize({ utility: { country: 'SE', zone: 'Europe/Stockholm', dunningPolicy: norwegianPolicyFile } })).toThrow(
      /is a policy for NO, the utility is in SE/,
    );
    expect(() => synthesize({ utility: { country: 'NO', zone: 'Europe/Oslo', dunningPolicy: 'package.json' } })).toThrow(/dunningPolicy: .*Invalid dunning policy: policyId/);
  });

  it('refuses to synthesize without the utility context, naming what is missing or wrong', () => {
    // Act // Assess
    expect(() => synthesize({ utility: undefined })).toThrow(/Context "utility" is missing/);
    expect(() => synthesize({ utility: undefined })).toThrow(new RegExp(utilitySettingsFields.join(', ')));
    expect(() => synthesize({ utility: { zone: utility.zone } })).toThrow(/Context "utility" is invalid: missing country/);
    expect(() => synthesize({ utility: { ...utility, country: 'DK' } })).toThrow(/country must be SE, FI or NO/);
    expect(() => synthesize({ utility: { ...utility, zone: 'Europe/Arvika' } })).toThrow(/zone must be an IANA time zone/);
    expect(() => synthesize({ utility: { ...utility, language: 'sv' } })).toThrow(/unknown language/);
    expect(() => parseUtilitySettings('{country')).toThrow(/must be a JSON object/);
    expect(() => parseUtilitySettings(['SE'])).toThrow(/must be an object/);
  });
});

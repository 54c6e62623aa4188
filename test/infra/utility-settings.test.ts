import { parseUtilitySettings, utilityEnvironment, utilitySettingsFields, type UtilitySettings } from '../../lib/utility-settings.js';
import { cdkJsonContext, synthesize } from './synth.js';

const utility = cdkJsonContext.utility as UtilitySettings;

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
    const { stack } = synthesize({ utility: JSON.stringify({ country: 'NO', zone: 'Europe/Oslo' }) });

    // Assess
    expect(stack.outageAlerts.environment.UTILITY_ZONE).toBe('Europe/Oslo');
    expect(stack.billing.environment.UTILITY_COUNTRY).toBe('NO');
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

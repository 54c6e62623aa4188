/**
 * Teknik i Väst (Arvika & Eda), Sweden: R-SE-16..22. Pure data, validated by
 * parseDunningPolicy; the same object as JSON is an equally valid policy file.
 * How each vague rule became exact: docs/DUNNING.md.
 */
export const seTeknikIVastPolicy = {
  policyId: 'se-teknik-i-vast-2026',
  utility: 'Teknik i Väst (Arvika, Eda)',
  country: 'SE',
  currency: 'SEK',
  timeZone: 'Europe/Stockholm',
  maxReminders: 1,
  steps: [
    { stage: 'reminder_1', from: 'due_date', offset: { days: 10 }, windowLastDay: 13, roll: 'next_banking_day', rule: 'R-SE-16' },
    { stage: 'collection', from: 'reminder_1', offset: { days: 10 }, windowLastDay: 13, roll: 'next_banking_day', rule: 'R-SE-16' },
    {
      stage: 'disconnection_notice',
      from: 'collection',
      offset: { days: 10 },
      windowLastDay: 13,
      roll: 'next_banking_day',
      statesDisconnectionDate: true,
      rule: 'R-SE-17',
    },
    { stage: 'disconnection', from: 'disconnection_notice', offset: { days: 14 }, roll: 'next_banking_day', rule: 'R-SE-17' },
  ],
  services: [
    {
      service: 'water',
      disconnection: 'allowed',
      rule: 'R-SE-21',
      debtIncludes: ['water', 'sewage'],
      throttle: { allowed: true, atProtectedProperty: false },
      protectedPropertyTypes: ['rental'],
      protectedPropertyRule: 'R-SE-21',
    },
    { service: 'sewage', disconnection: 'never', rule: 'R-SE-21' },
    { service: 'waste', disconnection: 'never', rule: 'R-SE-22', refusableActions: ['refuse_sludge_emptying', 'refuse_bin_exchange'] },
    { service: 'electricity_grid', disconnection: 'allowed', rule: 'R-SE-18', winterOwnerContact: true, winterRule: 'R-SE-18' },
    { service: 'electricity_retail', disconnection: 'never', rule: 'R-SE-18' },
    { service: 'district_heating', disconnection: 'allowed', rule: 'R-SE-20', winterOwnerContact: true, winterRule: 'R-SE-20' },
    { service: 'fiber', disconnection: 'allowed', rule: 'R-SE-19' },
  ],
  winterSeason: { from: '11-01', to: '03-31' },
  bookingDelayBankingDays: 1,
  rules: { hold: 'R-SE-15', bookingDelay: 'R-SE-13', announcement: 'R-SE-17', paid: 'R-SE-16' },
} as const;

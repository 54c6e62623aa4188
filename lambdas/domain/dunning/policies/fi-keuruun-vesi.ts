/**
 * Keuruun Vesi, Finland: R-FI-5..11. Pure data, validated by parseDunningPolicy; the same
 * object as JSON is an equally valid policy file. How each vague rule became exact:
 * docs/DUNNING.md.
 */
export const fiKeuruunVesiPolicy = {
  policyId: 'fi-keuruun-vesi-2026',
  utility: 'Keuruun Vesi',
  country: 'FI',
  currency: 'EUR',
  timeZone: 'Europe/Helsinki',
  maxReminders: 2,
  steps: [
    { stage: 'reminder_1', from: 'due_date', offset: { days: 14 }, roll: 'next_banking_day', fee: 500, statesDisconnectionDate: true, rule: 'R-FI-6' },
    { stage: 'reminder_2', from: 'disconnection', offset: { days: -14 }, roll: 'previous_banking_day', fee: 500, statesDisconnectionDate: true, rule: 'R-FI-6' },
    {
      stage: 'disconnection',
      from: 'reminder_1',
      offset: { threshold: 17000, atOrAbove: { weeks: 5 }, below: { months: 3 } },
      roll: 'next_banking_day',
      rule: 'R-FI-7',
    },
    { stage: 'enforcement', from: 'disconnection', offset: { days: 1 }, roll: 'next_banking_day', rule: 'R-FI-8' },
  ],
  services: [
    { service: 'water', disconnection: 'allowed', rule: 'R-FI-7', debtIncludes: ['water', 'sewage'] },
    { service: 'sewage', disconnection: 'never', rule: 'R-FI-7' },
  ],
  bookingDelayBankingDays: 2,
  rules: { hold: 'R-FI-11', bookingDelay: 'R-FI-10', announcement: 'R-FI-9', paid: 'R-FI-10' },
} as const;

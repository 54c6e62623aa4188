/** The dunning domain core (docs/DUNNING.md): policies, schedules, debt per service, guards. */
export * from './policy.js';
export * from './schedule.js';
export * from './debt.js';
export * from './guards.js';
export { builtInPolicies, finnishPolicy, swedishPolicy } from './policies/index.js';

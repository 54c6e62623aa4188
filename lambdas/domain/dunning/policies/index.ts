/** The built-in dunning policies, validated once at load (a broken data file fails fast). */
import { parseDunningPolicy, type DunningPolicy } from '../policy.js';
import { fiKeuruunVesiPolicy } from './fi-keuruun-vesi.js';
import { seTeknikIVastPolicy } from './se-teknik-i-vast.js';

export const swedishPolicy: DunningPolicy = parseDunningPolicy(seTeknikIVastPolicy);
export const finnishPolicy: DunningPolicy = parseDunningPolicy(fiKeuruunVesiPolicy);
export const builtInPolicies: readonly DunningPolicy[] = [swedishPolicy, finnishPolicy];

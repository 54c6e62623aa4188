/**
 * `npm run --silent token -- --role agent [--customer <id>] [--phone <e164>]`: prints a
 * JWT the embedded stack accepts, with the claims Cognito would carry, signed with the key of the
 * stack's data folder: `DATA_DIR` if set, else the folder of the stack running on `PORT` (3000).
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { roles, type Role } from '../lambdas/domain/roles.js';
import { devKeys } from './dev-auth.js';
import { registeredDataDir } from './stack-registry.js';

const { values } = parseArgs({
  options: {
    role: { type: 'string' },
    customer: { type: 'string' },
    phone: { type: 'string' },
    subject: { type: 'string' },
    expires: { type: 'string', default: '12h' },
  },
  strict: true,
});

const role = values.role as Role | undefined;
if (!role || !roles.includes(role)) {
  console.error(`Usage: npm run --silent token -- --role <${roles.join('|')}> [--customer <customerId>] [--phone <e164>]`);
  process.exit(2);
}
if (role === 'customer' && !values.customer) {
  console.error('A customer token needs --customer <customerId>.');
  process.exit(2);
}
// The data folder as `npm start` takes it (DATA_DIR, default .data); without DATA_DIR, that of the
// stack running on PORT (3000), whatever DATA_DIR it was started with.
const dataDir = process.env.DATA_DIR ? resolve(process.env.DATA_DIR) : (registeredDataDir(Number(process.env.PORT ?? 3000)) ?? resolve('.data'));
const keys = await devKeys(join(dataDir, 'dev-signing-key.json'));
const token = await keys.sign(
  {
    role,
    ...(values.customer ? { customerId: values.customer } : {}),
    ...(values.phone ? { phone: values.phone } : {}),
    ...(values.subject ? { subject: values.subject } : {}),
  },
  values.expires,
);
process.stdout.write(`${token}\n`);

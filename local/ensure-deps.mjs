// Runs before `npm start` and `npm test` on the system Node (any version): a fresh clone
// installs its locked dependencies (Node 22 included, as the `node` devDependency) first.
// `npm install`, not `npm ci`: the registry this project is built against does not serve
// every platform's optional binaries (e.g. @swc/core for macOS), so the lock file cannot
// list them and `npm ci` would refuse it; `npm install` keeps the locked versions.
import { existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.error('Installing dependencies (npm install) ...');
  execSync('npm install --no-audit --no-fund', { stdio: 'inherit' });
}

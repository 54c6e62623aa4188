// Runs before `npm start` and `npm test` on the system Node (any version): a fresh clone
// installs its locked dependencies (Node 22 included, as the `node` devDependency) first.
// `npm ci`: exactly what package-lock.json lists, which carries every platform's optional
// packages (@swc/core-*, @unrs/resolver-binding-*, @esbuild/*), so the same lock installs on
// Linux, macOS and Windows, x64 and arm64. A lock out of step with package.json fails here,
// as it would in CI or a CDK pipeline.
import { existsSync, statSync } from 'node:fs';
import { execSync } from 'node:child_process';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.error('Installing the locked dependencies (npm ci) ...');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}

// Preloaded into the embedded stack (node --import): counts the DynamoDB calls its SDK
// clients make, by operation and HTTP status, from Node's http diagnostics channel. On
// SIGUSR2 it prints the totals so far as one line: `dynamo-calls {"GetItem 200":12,...}`.
import { subscribe } from 'node:diagnostics_channel';

const counts = {};
subscribe('http.client.response.finish', ({ request, response }) => {
  const target = request.getHeader('x-amz-target');
  if (typeof target !== 'string' || !target.startsWith('DynamoDB_')) return;
  const key = `${target.split('.')[1]} ${response.statusCode}`;
  counts[key] = (counts[key] ?? 0) + 1;
});
process.on('SIGUSR2', () => process.stdout.write(`dynamo-calls ${JSON.stringify(counts)}\n`));

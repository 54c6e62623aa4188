// A DynamoDB of its own for the alert and billing benchmarks: dynalite in memory
// (`createTableMs: 0`), in this process only, so the code measured and the database do
// not share an event loop (in AWS they do not share a machine). Prints `{"port":N}` once
// listening; exits when its stdin closes (the parent went away) or on SIGTERM.
import dynalite from 'dynalite';

const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
const stop = () => server.close(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);

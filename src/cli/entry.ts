/** Runs the CLI from source (tests and development: `node --import tsx src/cli/entry.ts …`). */
import { main } from './main.js';

main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => { process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`); process.exitCode = 1; },
);

/**
 * Starts the reference API from the environment (`npm run reference`).
 * Prints one line once listening; stops cleanly on SIGTERM/SIGINT (exit 0). A bad
 * variable prints `CONFIG_INVALID: VAR: problem` and exits 2, without a stack trace.
 */
import type { FastifyInstance } from 'fastify';
import { runMain } from '../../lib/errors.ts';
import { buildApp } from './app.ts';
import { describeConfig, loadConfig } from './config.ts';

/** How long a shutdown may take before the process gives up on open connections. */
const SHUTDOWN_GRACE_MS = 5000;

await runMain(async () => {
  const config = loadConfig(process.env);

  // Signals are handled from the start: a stop during seeding exits 0 too.
  let app: FastifyInstance | null = null;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`reference API stopping (${signal})\n`);
    if (app === null) process.exit(0);
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    // app.close() closes the server and, through its onClose hook, the database.
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  app = await buildApp({ config });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  process.stdout.write(`reference API listening on http://${host}:${port} (${describeConfig(config)})\n`);
});

/**
 * Builds the reference API as a fastify instance, without listening, so tests can use
 * `inject` or listen on port 0. Wiring only: each concern lives in its own module.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { productionBehaviour, type Behaviour } from './behaviour.ts';
import { systemClock, type Clock } from './clock.ts';
import type { ReferenceConfig } from './config.ts';
import { ReferenceStore } from './db.ts';
import { applyFault } from './faults.ts';
import { installBodyParser } from './http/body.ts';
import { answerFrameworkError, installErrorHandlers } from './http/errors.ts';
import { installRequestLog, type LineWriter } from './http/request-log.ts';
import { installResponseMutation } from './http/response-mutation.ts';
import { Lockout } from './lockout.ts';
import { createPasswordHasher, type DeriveKey } from './passwords.ts';
import { chatRoutes } from './routes/chat.ts';
import { jwksRoutes } from './routes/jwks.ts';
import { refreshRoutes } from './routes/refresh.ts';
import { signInRoutes } from './routes/sign-in.ts';
import { applySeed, readSeed } from './seed.ts';
import { SessionService } from './sessions.ts';
import { loadSigningKey, TokenService } from './tokens.ts';

export interface BuildAppOptions {
  config: ReferenceConfig;
  /** Time source for iat/exp, expiry checks and lockout windows; tests pass a manual clock. */
  now?: Clock;
  /** Where request lines go (default stdout); ignored when config.requestLog is 'off'. */
  log?: LineWriter;
  /** Where internal errors are reported (default stderr). */
  reportInternalError?: (error: unknown) => void;
  /** The password key derivation (default scrypt); tests pass one that records its calls. */
  deriveKey?: DeriveKey;
}

const stdoutLine: LineWriter = (line) => {
  process.stdout.write(`${line}\n`);
};

const stderrReport = (error: unknown) => {
  process.stderr.write(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
};

/** How often expired rows are dropped, and how long after expiry a refresh-token record is kept. */
const HOUSEKEEPING_INTERVAL_MS = 10 * 60 * 1000;
const EXPIRED_RECORD_GRACE_SECONDS = 86_400;

/**
 * Keeps the tables from growing without bound under load runs. Refresh-token records are
 * kept a day past expiry (a late replay still finds its record); failures older than the
 * lockout window no longer count.
 */
function startHousekeeping(store: ReferenceStore, clock: Clock, lockoutWindowSeconds: number): NodeJS.Timeout {
  const timer = setInterval(() => {
    const now = clock();
    store.purge(Math.floor(now / 1000) - EXPIRED_RECORD_GRACE_SECONDS, now - lockoutWindowSeconds * 1000);
  }, HOUSEKEEPING_INTERVAL_MS);
  return timer.unref();
}

/**
 * The reference API, seeded and ready (not listening). Hashing the seed at the configured
 * cost is most of the start-up time. Fastify's own logger stays off: the request log
 * writes one line per request, and nothing else reaches stdout.
 */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const clock = options.now ?? systemClock;
  const behaviour: Behaviour = applyFault(config.fault, productionBehaviour(config), config);

  const store = new ReferenceStore(config.databasePath);
  try {
    const passwords = await createPasswordHasher(config.passwordHashCost, options.deriveKey);
    if (config.seedPath !== null) await applySeed(store, readSeed(config.seedPath), passwords);

    // alg "none" still publishes an ES256 key: the JWKS stays well-formed, the tokens just ignore it.
    const keyAlgorithm = behaviour.tokens.algorithm === 'RS256' ? 'RS256' : 'ES256';
    const tokens = new TokenService(await loadSigningKey(keyAlgorithm, config.jwtPrivateKeyPath), behaviour.tokens, clock);
    const lockout = new Lockout(
      store,
      { enabled: behaviour.lockout.enabled, threshold: config.lockoutThreshold, windowSeconds: config.lockoutWindowSeconds },
      clock,
    );
    const sessions = new SessionService({
      store,
      passwords,
      tokens,
      lockout,
      clock,
      signIn: behaviour.signIn,
      refresh: behaviour.refresh,
      lockoutRules: behaviour.lockout,
    });

    const app = Fastify({
      logger: false,
      bodyLimit: config.bodyLimitBytes,
      // Route matching is exact: /auth/sign-in/ and /AUTH/SIGN-IN are unknown paths.
      routerOptions: { ignoreTrailingSlash: false, caseSensitive: true },
      frameworkErrors: answerFrameworkError,
    });
    const housekeeping = startHousekeeping(store, clock, config.lockoutWindowSeconds);
    app.addHook('onClose', async () => {
      clearInterval(housekeeping);
      store.close();
    });

    if (config.requestLog === 'requests') installRequestLog(app, options.log ?? stdoutLine);
    if (behaviour.mutateResponse !== null) installResponseMutation(app, behaviour.mutateResponse, { store, clock });
    installBodyParser(app);
    installErrorHandlers(app, options.reportInternalError ?? stderrReport);

    signInRoutes(app, sessions, behaviour.signIn);
    refreshRoutes(app, sessions, tokens, behaviour.refresh);
    chatRoutes(app, tokens, behaviour.chat);
    jwksRoutes(app, tokens);

    await app.ready();
    return app;
  } catch (error) {
    store.close();
    throw error;
  }
}

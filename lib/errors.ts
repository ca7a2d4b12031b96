/**
 * Errors as typed values with stable codes. A command that meets one prints a single line
 * (`<code>: <message>`) and exits with the code's status; no stack trace reaches a user.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export type ErrorCode =
  | 'CONFIG_INVALID' // a configuration variable is malformed or missing
  | 'USAGE' // a command was called with wrong arguments
  | 'TARGET_UNREACHABLE' // the target did not answer
  | 'SEED_INVALID' // the reference API's seed file is unreadable or malformed
  | 'STALE_GENERATED' // a generated file differs from a fresh build
  | 'TARGET_REFUSED' // a load run was aimed at a host it is not allowed to load
  | 'BUILD_FAILED'; // a bundle could not be built

export class SuiteError extends Error {
  override readonly name = 'SuiteError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
  }
}

export class ConfigError extends SuiteError {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super('CONFIG_INVALID', `${variable}: ${problem}`);
  }
}

/** The one line a user sees for an error; unexpected errors keep only their message. */
export function describeError(error: unknown): string {
  if (error instanceof SuiteError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) return `error: ${error.message.split('\n')[0]}`;
  return `error: ${String(error)}`;
}

/** Runs a command's main function; any error ends the process with one line and its exit code. */
export async function runMain(main: () => Promise<number | void> | number | void): Promise<void> {
  try {
    const code = await main();
    process.exitCode = typeof code === 'number' ? code : EXIT.ok;
  } catch (error) {
    process.stderr.write(`${describeError(error)}\n`);
    process.exitCode = error instanceof SuiteError ? error.exitCode : EXIT.failed;
  }
}

/**
 * The contract suite's two Playwright projects, named here for the configuration and for
 * the runners that choose between them (the self-check runs them one after the other).
 *
 * `clock-bound` holds the specs that spend most of their time waiting on a clock: real
 * token expiry, and the timing chain. Playwright hands tests to workers in project order,
 * then file order, so declaring it first starts the waits at once and the rest of the
 * suite runs beside them rather than after them. `contract` holds everything else.
 */
export const CLOCK_BOUND_PROJECT = 'clock-bound';
export const CONTRACT_PROJECT = 'contract';

/** The spec files of the clock-bound project. */
export const CLOCK_BOUND_SPECS = /(refresh\.expiry|account-enumeration\.timing)\.spec\.ts$/;

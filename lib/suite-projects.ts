/**
 * The contract suite's two Playwright projects, named here for the configuration.
 *
 * `clock-bound` holds the tests that spend most of their time waiting on a clock (real
 * token expiry, the timing chain, a wait for the server's clock to tick): they carry the
 * CLOCK_TAG. Playwright hands tests to workers in project order, so declaring it first
 * starts the waits at once and the rest of the suite runs beside them rather than after
 * them. `contract` holds everything else.
 */
export const CLOCK_BOUND_PROJECT = 'clock-bound';
export const CONTRACT_PROJECT = 'contract';

/** The tag of a test that waits on a clock: `test('…', { tag: CLOCK_TAG }, …)`. */
export const CLOCK_TAG = '@clock';
export const CLOCK_BOUND_TESTS = new RegExp(CLOCK_TAG);

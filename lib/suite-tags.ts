/**
 * Tags of the contract suite's tests, for `--grep` and `--grep-invert`.
 *
 * CLOCK_TAG marks the tests that spend most of their time waiting on a clock (real token
 * expiry, the timing chain, a wait for the server's clock to tick): `--grep-invert @clock`
 * leaves them out of a quick run. They share one Playwright project with the rest: a
 * second project would start its own workers (each about a second of CPU), and a run of
 * the whole suite measured about 15 % longer and a quarter more CPU that way. The timing
 * chain, the longest of them, is in the file that sorts first, so it starts at once.
 */
export const CLOCK_TAG = '@clock';

/**
 * What a generator thread's code emits while a run goes: metric samples (k6's `Sample`: a
 * metric, its tags, a value and a time) and two kinds of note that are not metrics: the
 * digest of a token seen (the main thread's ledger checks that none is issued twice) and
 * a redacted example of a contract failure. The HTTP client and the flows emit into a
 * `SampleSink`; they never hold the recorder.
 */
import type { MetricName, Tags } from './registry.ts';
import type { ContractFailureSample } from './summary-types.ts';

/** A token seen in a response: a digest of its value, never the value. */
export interface TokenSighting {
  digest: string;
  /** Whose token it is (the user id of the response), for the same-user-same-second allowance. */
  user: string;
  /** Unix second of the response. */
  second: number;
}

export interface SampleSink {
  /** One sample; `timeMs` is epoch milliseconds (the second it falls in is its interval). */
  sample(metric: MetricName, tags: Tags, value: number, timeMs: number): void;
  token(sighting: TokenSighting): void;
  contractFailure(sample: ContractFailureSample): void;
}

/** The check every token sighting feeds, judged where tokens of every thread meet. */
export const TOKEN_UNIQUE_CHECK = 'tokens: never issued twice';

/** The check a judged response feeds, per endpoint: the summary counts how many were judged. */
export const contractCheck = (endpoint: string) => `${endpoint}: response matches the contract`;

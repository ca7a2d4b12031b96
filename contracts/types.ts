/**
 * TypeScript types derived from the contract's schemas, never written by hand.
 * json-schema-to-ts reads the `as const` schemas at compile time, so a change to a schema
 * changes these types and `tsc` reports every place that no longer fits.
 */
import type { FromSchema } from 'json-schema-to-ts';
import type {
  chatRequestSchema,
  chatResponseSchema,
  errorBodySchema,
  refreshRequestSchema,
  signInRequestSchema,
  tokenResponseSchema,
  userSchema,
} from './schemas.ts';

export type SignInRequest = FromSchema<typeof signInRequestSchema>;
export type RefreshRequest = FromSchema<typeof refreshRequestSchema>;
export type User = FromSchema<typeof userSchema>;
export type TokenResponse = FromSchema<typeof tokenResponseSchema>;
export type ErrorBody = FromSchema<typeof errorBodySchema>;
export type ChatRequest = FromSchema<typeof chatRequestSchema>;
export type ChatResponse = FromSchema<typeof chatResponseSchema>;

/** The type each schema name stands for, for typed validation results. */
export interface ContractTypes {
  SignInRequest: SignInRequest;
  RefreshRequest: RefreshRequest;
  TokenResponse: TokenResponse;
  TokenResponseShape: TokenResponse;
  User: User;
  ErrorBody: ErrorBody;
  ChatRequest: ChatRequest;
  ChatResponse: ChatResponse;
}

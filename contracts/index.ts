/** The contract: schemas, derived types, validators, the OpenAPI document and the rules on a token response. */
export * from './schemas.ts';
export type * from './types.ts';
export { validate, conforms, toJsonPath, type ContractViolation, type ValidationResult } from './validator.ts';
export { openApiDocument } from './openapi.ts';
export * from './rules.ts';

/** The contract: schemas, derived types, validators and the OpenAPI document. */
export * from './schemas.ts';
export type * from './types.ts';
export { validate, conforms, toJsonPath, type ContractViolation, type ValidationResult } from './validator.ts';
export { openApiDocument } from './openapi.ts';

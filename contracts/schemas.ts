/**
 * The contract's JSON Schemas (draft 2020-12): the single source of truth.
 *
 * They restate contracts/CONTRACT.md. Everything else derives from this file: the
 * TypeScript types (types.ts, via json-schema-to-ts), the ajv validators (validator.ts),
 * the OpenAPI document (openapi.ts) and the reference API's request validation.
 *
 * Rules that hold for every response schema here:
 * - every documented field is required, with its documented type and format;
 * - additional properties are allowed (decision 5: additive changes must not break the
 *   gate), except names that expose secrets (password, hash, secret, ...), which are a
 *   defect wherever they appear.
 */

/**
 * Property names that must never appear in a response object (decision 5).
 * JSON Schema patterns are ECMA-262 without flags, so case is spelled out.
 */
export const SENSITIVE_PROPERTY_PATTERN =
  '[Pp][Aa][Ss][Ss][Ww]([Oo][Rr])?[Dd]|[Hh][Aa][Ss][Hh]|[Ss][Ee][Cc][Rr][Ee][Tt]|[Ss][Aa][Ll][Tt]|[Pp][Rr][Ii][Vv][Aa][Tt][Ee]_?[Kk][Ee][Yy]';

const noSensitiveNames = {
  propertyNames: { not: { pattern: SENSITIVE_PROPERTY_PATTERN } },
} as const;

/**
 * Unix time in whole seconds. The upper bound (year 2286) rejects timestamps sent in
 * milliseconds, a classic unit bug, without rejecting any plausible expiry.
 */
const unixSeconds = {
  type: 'integer',
  minimum: 0,
  maximum: 9999999999,
  description: 'Unix time in seconds',
} as const;

export const signInRequestSchema = {
  title: 'SignInRequest',
  type: 'object',
  required: ['email', 'password'],
  properties: {
    email: { type: 'string', format: 'email', maxLength: 320, description: "the user's email address" },
    password: { type: 'string', minLength: 1, maxLength: 1024 },
  },
} as const;

export const userSchema = {
  title: 'User',
  type: 'object',
  required: ['id', 'email', 'name', 'organization_id'],
  properties: {
    id: { type: 'string', format: 'uuid', description: "the user's identifier" },
    // The contract types it as a string. Shaped like an address (one @, something on each
    // side, no spaces) but not held to ajv's ASCII, dotted-domain "email" format: qa@localhost
    // and jörg@exämple.de are addresses a target may hold.
    email: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+$', description: "the user's email address" },
    name: { type: 'string', description: "the user's name" },
    organization_id: { type: 'string', format: 'uuid', description: 'the organization the user belongs to' },
  },
  ...noSensitiveNames,
} as const;

export const tokenResponseSchema = {
  title: 'TokenResponse',
  description: 'The 200 body of POST /auth/sign-in and POST /auth/refresh-token',
  type: 'object',
  required: ['access_token', 'refresh_token', 'token_type', 'expires_at', 'refresh_expires_at', 'user'],
  properties: {
    access_token: { type: 'string', minLength: 1, description: 'JWT access token for later requests' },
    refresh_token: { type: 'string', minLength: 1, description: 'JWT refresh token' },
    // RFC 6749 §7.1: the token type is case-insensitive (decision 4).
    token_type: { type: 'string', pattern: '^[Bb][Ee][Aa][Rr][Ee][Rr]$', description: '"bearer", any case' },
    expires_at: { ...unixSeconds, description: 'Unix time (seconds) when the access token expires' },
    refresh_expires_at: { ...unixSeconds, description: 'Unix time (seconds) when the refresh token expires' },
    user: userSchema,
  },
  ...noSensitiveNames,
} as const;

/**
 * The documented example is a shape, not an instance: its tokens and ids are "<string>"
 * placeholders. This schema is the token response with the placeholder-bearing values
 * (tokens, ids) relaxed to plain strings, so a test can hold the example to its shape.
 */
export const tokenResponseShapeSchema = {
  ...tokenResponseSchema,
  title: 'TokenResponseShape',
  properties: {
    ...tokenResponseSchema.properties,
    user: {
      ...userSchema,
      properties: {
        ...userSchema.properties,
        id: { type: 'string' },
        organization_id: { type: 'string' },
      },
    },
  },
} as const;

export const refreshRequestSchema = {
  title: 'RefreshRequest',
  type: 'object',
  required: ['token'],
  properties: {
    token: { type: 'string', minLength: 1, maxLength: 8192, description: 'the refresh token' },
  },
} as const;

/**
 * Error body. No error responses are documented; decision 2 follows the conventions of
 * the API's framework (FastAPI): an object whose `detail` is a message or a list of
 * validation problems. Nothing else about it (wording, codes) is part of the contract.
 */
export const errorBodySchema = {
  title: 'ErrorBody',
  type: 'object',
  required: ['detail'],
  properties: {
    detail: {
      anyOf: [
        { type: 'string' },
        {
          type: 'array',
          items: {
            type: 'object',
            required: ['msg'],
            properties: {
              msg: { type: 'string' },
              loc: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'integer' }] } },
              type: { type: 'string' },
            },
          },
        },
      ],
    },
  },
  ...noSensitiveNames,
} as const;

export const chatRequestSchema = {
  title: 'ChatRequest',
  type: 'object',
  required: ['message'],
  properties: {
    message: { type: 'string', minLength: 1, maxLength: 32768 },
    target_context: { type: 'string', maxLength: 32768 },
    conversation_id: { type: 'string', minLength: 1, maxLength: 256 },
  },
} as const;

export const chatResponseSchema = {
  title: 'ChatResponse',
  type: 'object',
  required: ['output', 'conversation_id'],
  properties: {
    output: { type: 'string' },
    conversation_id: { type: 'string', minLength: 1 },
  },
  ...noSensitiveNames,
} as const;

/** Every schema of the contract, by the name specs and reports use for it. */
export const schemas = {
  SignInRequest: signInRequestSchema,
  RefreshRequest: refreshRequestSchema,
  TokenResponse: tokenResponseSchema,
  TokenResponseShape: tokenResponseShapeSchema,
  User: userSchema,
  ErrorBody: errorBodySchema,
  ChatRequest: chatRequestSchema,
  ChatResponse: chatResponseSchema,
} as const;

export type SchemaName = keyof typeof schemas;
export const schemaNames = Object.keys(schemas) as SchemaName[];

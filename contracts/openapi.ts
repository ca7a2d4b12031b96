/**
 * The OpenAPI 3.1 description of the contract, built from the schemas in schemas.ts so
 * the two cannot drift. `npm run generate` writes it to contracts/generated/openapi.json
 * for tools that read files (Schemathesis, Dredd, Postman, ...).
 */
import type { OpenAPIV3_1 } from 'openapi-types';
import { schemas, type SchemaName } from './schemas.ts';

const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });

const json = (name: SchemaName) => ({ 'application/json': { schema: ref(name) } });

const noStore: Record<string, OpenAPIV3_1.HeaderObject> = {
  'Cache-Control': {
    description: 'Token responses must not be cached (RFC 6749 §5.1)',
    required: true,
    schema: { type: 'string', pattern: 'no-store' },
  },
  Pragma: { description: 'Legacy no-cache for HTTP/1.0 caches', schema: { type: 'string', enum: ['no-cache'] } },
};

const errors = {
  unauthorized: {
    description: 'Missing, invalid or expired credentials or token; the same body whatever the reason',
    content: json('ErrorBody'),
  },
  validation: { description: 'The body is not JSON or fails the request schema', content: json('ErrorBody') },
  tooLarge: { description: 'The body exceeds the size limit', content: json('ErrorBody') },
  rateLimited: {
    description: 'Too many failed attempts for this account or client',
    headers: { 'Retry-After': { required: true, description: 'Seconds to wait', schema: { type: 'integer', minimum: 0 } } },
    content: json('ErrorBody'),
  },
} satisfies Record<string, OpenAPIV3_1.ResponseObject>;

const bearerChallenge: OpenAPIV3_1.HeaderObject = {
  required: true,
  description: 'RFC 6750 §3 challenge',
  schema: { type: 'string', pattern: '^Bearer' },
};

const apiVersion: OpenAPIV3_1.ParameterObject = {
  name: 'X-API-Version',
  in: 'header',
  required: true,
  schema: { type: 'string' },
  example: '0.2.0',
};

const optionalApiVersion: OpenAPIV3_1.ParameterObject = { ...apiVersion, required: false };

export const openApiDocument: OpenAPIV3_1.Document = {
  openapi: '3.1.0',
  info: {
    title: 'Puppilot authentication (agents host)',
    version: '0.2.0',
    description:
      'Sign-in, refresh and one protected endpoint, as documented by Puppilot and completed by the decisions in contracts/CONTRACT.md.',
  },
  jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  servers: [{ url: 'https://agents.puppilot.co' }, { url: 'http://127.0.0.1:8787', description: 'embedded reference API' }],
  paths: {
    '/auth/sign-in': {
      post: {
        operationId: 'signIn',
        summary: 'Exchange email and password for an access and a refresh token',
        requestBody: { required: true, content: json('SignInRequest') },
        responses: {
          '200': { description: 'Signed in', headers: noStore, content: json('TokenResponse') },
          '401': errors.unauthorized,
          '413': errors.tooLarge,
          '422': errors.validation,
          '429': errors.rateLimited,
        },
      },
    },
    '/auth/refresh-token': {
      post: {
        operationId: 'refreshToken',
        summary: 'Exchange a refresh token for new tokens; the used refresh token is rotated out',
        description: 'The Authorization header is optional: a client whose access token has expired must still refresh.',
        parameters: [optionalApiVersion],
        requestBody: { required: true, content: json('RefreshRequest') },
        responses: {
          '200': { description: 'New tokens', headers: noStore, content: json('TokenResponse') },
          '401': errors.unauthorized,
          '413': errors.tooLarge,
          '422': errors.validation,
        },
      },
    },
    '/chat': {
      post: {
        operationId: 'chat',
        summary: 'Chat with target context (a protected endpoint)',
        security: [{ bearer: [] }],
        parameters: [apiVersion],
        requestBody: { required: true, content: json('ChatRequest') },
        responses: {
          '200': { description: 'The answer', content: json('ChatResponse') },
          '401': { ...errors.unauthorized, headers: { 'WWW-Authenticate': bearerChallenge } },
          '413': errors.tooLarge,
          '422': errors.validation,
        },
      },
    },
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: Object.fromEntries(
      Object.entries(schemas).map(([name, schema]) => [name, schema as unknown as OpenAPIV3_1.SchemaObject]),
    ),
  },
};

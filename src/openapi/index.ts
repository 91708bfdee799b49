/**
 * `src/openapi`: the schema builder, the OpenAPI document and the docs pages.
 */
export { type DocsOptions, docsCsp, registerDocs } from './docs-ui.ts';
export {
  deriveOperationId,
  type JsonSchema,
  type OpenApiDocument,
  OpenApiError,
  type OpenApiErrorCode,
  type OpenApiMediaType,
  type OpenApiOperation,
  type OpenApiParameter,
  type OpenApiPathItem,
  type OpenApiReference,
  type OpenApiRequestBody,
  type OpenApiResponse,
  openapiDocument,
  type ParameterLocation,
  toOpenApiPath,
} from './openapi.ts';
export { type Static, type TObject, type TSchema, t } from './t.ts';

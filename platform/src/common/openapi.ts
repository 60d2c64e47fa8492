import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { z } from 'zod';
import { openApiSchema } from './zod';

/** Every error body; the schema itself is added to `components` by `buildOpenApiDocument`. */
const ERROR_SCHEMA_REF = '#/components/schemas/ErrorResponse';

/**
 * OpenAPI decorators fed from the zod DTOs (explicit schemas: there is no decorator metadata to reflect).
 */
export const ApiOk = (schema: z.ZodType, status = 200, description = 'OK') =>
  ApiResponse({ status, description, schema: openApiSchema(schema) });

const errorDescriptions: Record<number, string> = {
  400: 'invalid input',
  401: 'missing, invalid or expired token',
  403: 'the role or jurisdiction does not allow it',
  404: 'unknown resource',
  409: 'conflicts with the current state',
  429: 'too many attempts: see Retry-After',
  503: 'busy: try again after Retry-After',
  502: 'the gateway answered with an error',
  504: 'the gateway did not answer before the deadline',
};

export const ApiErrors = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: errorDescriptions[status] ?? 'error',
        schema: { $ref: ERROR_SCHEMA_REF },
      }),
    ),
  );

/** An authenticated route: bearer token, 401 documented. */
export const ApiAuth = () => applyDecorators(ApiBearerAuth(), ApiErrors(401));

export const ApiJsonBody = (schema: z.ZodType) =>
  ApiBody({ required: true, schema: openApiSchema(schema, 'input') });

export const ApiQueryFrom = (schema: z.ZodObject) =>
  applyDecorators(
    ...Object.entries(schema.shape).map(([name, field]) =>
      ApiQuery({
        name,
        required: !field.safeParse(undefined).success,
        schema: openApiSchema(field, 'input'),
      }),
    ),
  );

export const ApiPathParam = (name: string, schema: z.ZodType) =>
  ApiParam({ name, required: true, schema: openApiSchema(schema, 'input') });

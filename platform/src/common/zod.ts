import type { PipeTransform } from '@nestjs/common';
import type { SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { ValidationError } from '../errors';

/**
 * Request DTOs are zod (v4 API) schemas: one definition validates at runtime, types the controller and
 * describes the OpenAPI document (no reflection — esbuild emits no decorator metadata).
 */
export class ZodPipe<T extends z.ZodType> implements PipeTransform<unknown, z.output<T>> {
  constructor(
    private readonly schema: T,
    private readonly what: string,
  ) {}

  transform(value: unknown): z.output<T> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const issues = result.error.issues.map((i) =>
      i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message,
    );
    throw new ValidationError(`invalid ${this.what}: ${issues.join('; ')}`);
  }
}

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of a zod schema, for `@ApiBody` / `@ApiResponse`. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): SchemaObject {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return withoutSafeIntegerBounds(json) as SchemaObject;
}

/** `z.number().int()` emits ±(2^53−1) bounds: noise in the document. */
function withoutSafeIntegerBounds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSafeIntegerBounds);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if ((key === 'minimum' || key === 'maximum') && Math.abs(Number(v)) === Number.MAX_SAFE_INTEGER) continue;
    out[key] = withoutSafeIntegerBounds(v);
  }
  return out;
}

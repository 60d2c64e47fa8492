import { z } from 'zod';

export const DependencyState = z.enum(['up', 'down', 'not-configured']);
export type DependencyState = z.infer<typeof DependencyState>;

/** Readiness: `error` (503) when PostgreSQL or Redis is down; each dependency is reported on its own. */
export const HealthResponse = z.object({
  status: z.enum(['ok', 'error']),
  checks: z.object({
    postgres: DependencyState.exclude(['not-configured']),
    /** `not-configured`: no REDIS_URL, the in-process bus is used (`npm start`). */
    redis: DependencyState,
  }),
  database: z.object({
    ok: z.boolean(),
    engine: z.enum(['postgres', 'pglite']),
    timescaledbAvailable: z.boolean(),
  }),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

/** Liveness: the process serves HTTP (whatever its dependencies). */
export const LivenessResponse = z.object({ status: z.literal('ok') });
export type LivenessResponse = z.infer<typeof LivenessResponse>;

import { z } from 'zod';
import { gbId } from '../common/zod';

export const WallLayoutName = z.string().min(1).max(64);

export const WallLayoutBody = z
  .object({
    grid: z.union([z.literal(1), z.literal(4), z.literal(9), z.literal(16), z.literal(25)]),
    tiles: z.array(z.object({ tile: z.number().int().min(0).max(24), channelId: gbId }).strict()).max(25),
  })
  .strict()
  .refine((layout) => layout.tiles.every((t) => t.tile < layout.grid), {
    message: 'a tile index is outside the grid',
  })
  .refine((layout) => new Set(layout.tiles.map((t) => t.tile)).size === layout.tiles.length, {
    message: 'a tile is used twice',
  });
export type WallLayoutBody = z.infer<typeof WallLayoutBody>;

export const WallLayout = z.object({
  name: z.string(),
  grid: z.number().int(),
  tiles: z.array(z.object({ tile: z.number().int(), channelId: z.string() })),
  updatedAt: z.string(),
});
export type WallLayout = z.infer<typeof WallLayout>;

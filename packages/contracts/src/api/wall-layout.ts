import { z } from 'zod';
import { channelIdOut, gbId } from './fields';

export const WallLayoutName = z.string().min(1).max(64);

/** Video wall grids: 1×1 to 5×5. */
export const WALL_GRIDS = [1, 4, 9, 16, 25] as const;
export const WallGrid = z.union([z.literal(1), z.literal(4), z.literal(9), z.literal(16), z.literal(25)]);
export type WallGrid = z.infer<typeof WallGrid>;

export const WallLayoutBody = z
  .object({
    grid: WallGrid,
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
  grid: WallGrid,
  tiles: z.array(z.object({ tile: z.number().int(), channelId: channelIdOut })),
  updatedAt: z.string(),
});
export type WallLayout = z.infer<typeof WallLayout>;

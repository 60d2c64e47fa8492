import { z } from 'zod';
import { civilCode, civilCodeOut } from './fields';

export const CivilAreaQuery = z.object({ parent: civilCode.optional() }).strict();
export type CivilAreaQuery = z.infer<typeof CivilAreaQuery>;

export const CivilAreaNode = z.object({
  code: civilCodeOut,
  name: z.string(),
  parentCode: civilCodeOut.nullable(),
  level: z.number().int().describe('1 province, 2 city, 3 district/county, 4 street/township'),
  childCount: z.number().int(),
  channelCount: z.number().int().describe('cameras whose civil code lies in this subtree'),
  onlineCount: z.number().int(),
});
export type CivilAreaNode = z.infer<typeof CivilAreaNode>;

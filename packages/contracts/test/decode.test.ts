import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ChannelSummary, DecodeError, decode, decoderFor, UpperPlatformView, WallLayout } from '../src/api';

const channel = () => ({
  channelId: '43010200001310000001',
  deviceId: '43010200001180000001',
  name: '五一广场',
  civilCode: '430102001',
  address: null,
  longitude: 112.98,
  latitude: 28.19,
  status: 'online',
  ptzType: null,
});

describe('decoderFor: response schemas compiled to in-place decoders', () => {
  const channels = decoderFor(z.array(ChannelSummary));

  it('accepts an answer as sent and checks it in place (no copy of the objects)', () => {
    const body = [channel(), channel()];
    const decoded = channels(body);
    expect(decoded).toEqual(body);
    expect(decoded[0]).toBe(body[0]);
  });

  it('names the path of a missing field, a wrong type, a value outside an enum', () => {
    const { status: _s, ...missing } = channel();
    expect(() => decode(channels, [channel(), missing], '/channels')).toThrow(
      '/channels[1].status: expected one of online, offline',
    );
    expect(() => channels([{ ...channel(), name: 7 }])).toThrow('[0].name: expected a string');
    expect(() => channels([{ ...channel(), longitude: undefined }])).toThrow(
      '[0].longitude: expected a number',
    );
    expect(() => channels({})).toThrow(DecodeError);
  });

  it('leaves a field the contract lacks to the console, refuses it in exact mode', () => {
    const extra = [{ ...channel(), vendor: 'hik' }];
    expect(() => channels(structuredClone(extra))).not.toThrow();
    expect(() => decoderFor(z.array(ChannelSummary), { exact: true })(extra)).toThrow(
      '[0].vendor: expected no such field',
    );
  });

  it('literal unions, records with optional fields, nested objects', () => {
    const layout = decoderFor(WallLayout);
    const ok = {
      name: 'a',
      grid: 9,
      tiles: [{ tile: 0, channelId: '43010200001310000001' }],
      updatedAt: 'now',
    };
    expect(layout(structuredClone(ok))).toEqual(ok);
    expect(() => layout({ ...ok, grid: 3 })).toThrow('.grid: expected one of 1, 4, 9, 16, 25');

    const upper = decoderFor(UpperPlatformView.shape.remap);
    expect(upper({ a: { name: 'x' }, b: {} })).toEqual({ a: { name: 'x' }, b: {} });
    expect(() => upper({ a: { id: 1 } })).toThrow('["a"].id: expected a string');
  });

  it('refuses at build time a schema that changes values (a response is JSON as sent)', () => {
    expect(() => decoderFor(z.object({ n: z.string().transform(Number) }))).toThrow(/not supported/);
    expect(() => decoderFor(z.object({ n: z.number().default(1) }))).toThrow(/type default is not supported/);
  });
});

import { describe, expect, it } from 'vitest';
import { probeVideoCodec } from '../../src/annexb/video-codec-probe';

describe('probeVideoCodec', () => {
  it.each([
    ['H.265 VPS', '40010c01', 'h265'],
    ['H.265 SPS', '42010101', 'h265'],
    ['H.265 PPS', '4401c172', 'h265'],
    ['H.265 AUD', '460110', 'h265'],
    ['H.265 prefix SEI', '4e0105', 'h265'],
    ['H.265 IDR_W_RADL', '2601af', 'h265'],
    ['H.265 CRA', '2a01af', 'h265'],
    ['H.264 SPS (Main)', '674d001e', 'h264'],
    ['H.264 SPS (High 4:4:4, ffmpeg vector)', '67f4000d', 'h264'],
    ['H.264 IDR', '658884', 'h264'],
    ['H.264 AUD', '09f0', 'h264'],
    ['H.264 non-IDR slice (ambiguous)', '419a', undefined],
    ['H.264 SEI (ambiguous)', '0605', undefined],
    ['forbidden bit set', 'e701', undefined],
    ['one byte', '67', undefined],
  ])('%s → %s', (_name, bytes, codec) => {
    expect(probeVideoCodec(Buffer.from(bytes, 'hex'))).toBe(codec);
  });
});

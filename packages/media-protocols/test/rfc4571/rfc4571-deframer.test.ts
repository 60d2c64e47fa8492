import { describe, expect, it } from 'vitest';
import { type DeframedPacket, Rfc4571Deframer } from '../../src/rfc4571/rfc4571-deframer';
import { frameRfc4571 } from '../../src/rfc4571/rfc4571-framer';
import { randomBytes, randomChunks, seededRandom } from '../support/random';
import { readVector, Vector } from '../support/vectors';

const stream = readVector(Vector.srsbenchRfc4571);

function deframe(chunks: Iterable<Buffer>, deframer = new Rfc4571Deframer()): DeframedPacket[] {
  const out: DeframedPacket[] = [];
  for (const c of chunks) out.push(...deframer.push(c));
  return out;
}

/** The 41 packets of the srs-bench capture, cut by hand from the length prefixes. */
function referencePackets(): Buffer[] {
  const packets: Buffer[] = [];
  for (let at = 0; at < stream.length; ) {
    const n = stream.readUInt16BE(at);
    packets.push(stream.subarray(at + 2, at + 2 + n));
    at += 2 + n;
  }
  return packets;
}

const reference = referencePackets();
const same = (got: DeframedPacket[]) =>
  got.length === reference.length &&
  got.every((p, i) => p.data.equals(reference[i]!) && p.channel === undefined);

describe('Rfc4571Deframer', () => {
  it('deframes the srs-bench TCP stream into its 41 RTP packets whose payloads are the PS file', () => {
    const deframer = new Rfc4571Deframer();
    const packets = deframe([stream], deframer);
    expect(packets).toHaveLength(41);
    expect(deframer.framing).toBe('rfc4571');
    expect(deframer.stats).toMatchObject({ packets: 41, garbageBytes: 0, bytes: stream.length });
    const ps = Buffer.concat(packets.map((p) => p.data.subarray(12)));
    expect(ps.equals(readVector(Vector.srsbenchPs))).toBe(true);
  });

  it('returns whole packets as views of the chunk (no copy)', () => {
    const [first] = deframe([stream]);
    expect(first!.data.buffer).toBe(stream.buffer);
  });

  it('yields the same packets whichever byte the stream is split at', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const deframer = new Rfc4571Deframer();
      const got = deframe([stream.subarray(0, cut), stream.subarray(cut)], deframer);
      if (!same(got)) throw new Error(`split at ${cut} changed the packets`);
      expect(deframer.pendingBytes).toBe(0);
    }
  });

  it('yields the same packets from 1-byte chunks and from random chunkings', () => {
    expect(same(deframe([...stream].map((b) => Buffer.from([b]))))).toBe(true);
    const random = seededRandom(28181);
    for (let i = 0; i < 50; i++) expect(same(deframe(randomChunks(random, stream, 64)))).toBe(true);
  });

  it('auto-detects RTSP interleaved framing ($, channel, length)', () => {
    const interleaved = Buffer.concat(
      reference.flatMap((p, i) => {
        const h = Buffer.from([0x24, i % 2 === 0 ? 0 : 1, 0, 0]);
        h.writeUInt16BE(p.length, 2);
        return [h, p];
      }),
    );
    const deframer = new Rfc4571Deframer();
    const got = deframe(randomChunks(seededRandom(2326), interleaved, 300), deframer);
    expect(deframer.framing).toBe('interleaved');
    expect(got.map((p) => p.channel)).toEqual(reference.map((_, i) => (i % 2 === 0 ? 0 : 1)));
    expect(got.every((p, i) => p.data.equals(reference[i]!))).toBe(true);
  });

  it('counts garbage between frames and resynchronises on the next plausible frame', () => {
    const junk = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]);
    const dirty = Buffer.concat(
      reference.flatMap((p, i) => [i === 5 || i === 20 ? junk : Buffer.alloc(0), frameRfc4571(p)]),
    );
    const deframer = new Rfc4571Deframer({ framing: 'rfc4571' });
    const got = deframe([dirty], deframer);
    expect(got.every((p, i) => p.data.equals(reference[i]!))).toBe(true);
    expect(got).toHaveLength(41);
    expect(deframer.stats.garbageBytes).toBe(12);
    expect(deframer.stats.resyncs).toBe(2);
  });

  it('follows a sender that changed its SSRC once more garbage than any frame went by', () => {
    const other = (seq: number) => {
      const rtp = Buffer.alloc(1012, 0x11);
      rtp.writeUInt32BE((0x80600000 | seq) >>> 0, 0);
      rtp.writeUInt32BE(0xcafe, 8);
      return frameRfc4571(rtp);
    };
    const input = Buffer.concat([
      ...reference.map(frameRfc4571),
      ...Array.from({ length: 100 }, (_, i) => other(i)),
    ]);
    const deframer = new Rfc4571Deframer();
    const got = deframe([input], deframer);
    const switched = got.filter((p) => p.data.readUInt32BE(8) === 0xcafe);
    expect(got.length - switched.length).toBe(41);
    expect(switched.length).toBeGreaterThan(30);
    expect(deframer.stats.garbageBytes).toBeGreaterThan(0x10000);
  });

  it('skips frames above maxPacketSize by their length and counts them', () => {
    const deframer = new Rfc4571Deframer({ maxPacketSize: 1000 });
    const got = deframe([stream], deframer);
    const small = reference.filter((p) => p.length <= 1000);
    expect(got.map((p) => p.data.length)).toEqual(small.map((p) => p.length));
    expect(deframer.stats.oversizedPackets).toBe(reference.length - small.length);
  });

  it('never throws on random input, and accounts for every byte', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 200; i++) {
      const deframer = new Rfc4571Deframer();
      const input = randomBytes(random, Math.floor(random() * 2000));
      const got = deframe(randomChunks(random, input, 100), deframer);
      expect(deframer.stats.packets).toBe(got.length);
      expect(deframer.stats.bytes).toBe(input.length);
    }
  });
});

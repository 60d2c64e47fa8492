/** Frame durations in 48 kHz samples by TOC config (RFC 6716 §3.1, Table 2): SILK, hybrid, CELT. */
const FRAME_SAMPLES = [
  480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 480, 960, 120, 240, 480, 960,
  120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960,
];

/**
 * Samples (at 48 kHz) one Opus packet decodes to, from its TOC byte and frame count (RFC 6716 §3.1–3.2);
 * undefined for a packet too short to tell.
 */
export function opusPacketSamples(packet: Uint8Array): number | undefined {
  if (packet.length < 1) return undefined;
  const toc = packet[0]!;
  const perFrame = FRAME_SAMPLES[toc >> 3]!;
  const code = toc & 0x03;
  if (code === 0) return perFrame;
  if (code === 1 || code === 2) return 2 * perFrame;
  if (packet.length < 2) return undefined;
  return (packet[1]! & 0x3f) * perFrame;
}

/** The Ogg encapsulation's header packets (RFC 7845 §5), not audio. */
export function isOpusHeaderPacket(packet: Uint8Array): boolean {
  if (packet.length < 8) return false;
  const magic = Buffer.from(packet.buffer, packet.byteOffset, 8).toString('latin1');
  return magic === 'OpusHead' || magic === 'OpusTags';
}

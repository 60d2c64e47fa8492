import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The GB/T 28181 media test vectors, kept in the repository (`test/fixtures/gb28181/`, with their SHA256SUMS) so a
 * fresh clone tests on its own. See test/fixtures/README.md for what each file is and where it comes from.
 */
export const VECTORS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/gb28181');

export const Vector = {
  cameraFirstRtp: 'srs_utest_camera_first_rtp.bin',
  ffmpegNoPsm: 'ffmpeg51_mpeg_h264_nopsm.mpg',
  gstreamer: 'gst122_mpegpsmux_h264.mpg',
  oneRfc4571Packet: 'rfc4571_one_packet_demo.pcap',
  sipOnlyUdp: 'sbgb28181_vs_vagnode_udp_register400.pcap',
  srsbenchPs: 'srsbench_h264aac.ps',
  srsbenchRfc4571: 'srsbench_h264aac.rfc4571.bin',
  srsbenchPcap: 'srsbench_vs_srs_h264aac_tcp.pcap',
} as const;

export function vectorPath(name: string): string {
  return path.join(VECTORS_DIR, name);
}

export function readVector(name: string): Buffer {
  return readFileSync(vectorPath(name));
}

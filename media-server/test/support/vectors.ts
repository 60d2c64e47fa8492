import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The shared GB/T 28181 test vectors live beside the repository (`/work/shared` next to `/work/main`), not in
 * it; tests read them by path. See test/fixtures/README.md for what each file is and where it comes from.
 */
export const VECTORS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../shared/gb28181/vectors',
);

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

import { createSocket } from 'node:dgram';
import { readFrames } from './clip';

/**
 * Child process of the benchmark: N cameras sending the clip over UDP at 25 fps, each with its own SSRC,
 * sequence numbers and timestamps, started at different points of the clip (keyframes are not synchronised).
 * argv: framesFile, JSON [{port, ssrc}], seconds. Prints {packets, bytes, cpuMs} when done.
 */
const [framesFile, targetsJson, secondsText] = process.argv.slice(2);
const frames = readFrames(framesFile!);
const targets = (JSON.parse(targetsJson!) as { port: number; ssrc: number }[]).map((t, i) => ({
  ...t,
  offset: Math.floor((i * frames.length) / 7) % frames.length,
  seq: (i * 7919) & 0xffff,
}));
const socket = createSocket({ type: 'udp4', sendBufferSize: 8 * 1024 * 1024 });
const seconds = Number(secondsText);
const total = seconds * 25;
const start = performance.now();
const cpu = process.cpuUsage();
let packets = 0;
let bytes = 0;

function sendFrame(n: number): void {
  for (const t of targets) {
    const index = (t.offset + n) % frames.length;
    const loop = Math.floor((t.offset + n) / frames.length);
    for (const p of frames[index]!) {
      const out = Buffer.from(p);
      out.writeUInt16BE(t.seq, 2);
      t.seq = (t.seq + 1) & 0xffff;
      out.writeUInt32BE((out.readUInt32BE(4) + loop * frames.length * 3600) >>> 0, 4);
      out.writeUInt32BE(t.ssrc >>> 0, 8);
      socket.send(out, t.port, '127.0.0.1');
      packets++;
      bytes += out.length;
    }
  }
}

socket.bind(0, '127.0.0.1', async () => {
  for (let n = 0; n < total; n++) {
    sendFrame(n);
    const wait = start + (n + 1) * 40 - performance.now();
    await new Promise((r) => (wait > 0 ? setTimeout(r, wait) : setImmediate(r)));
  }
  const used = process.cpuUsage(cpu);
  process.stdout.write(`${JSON.stringify({ packets, bytes, cpuMs: (used.user + used.system) / 1000 })}\n`);
  socket.close();
});

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { detectProbeInput, type ProbeInputKind } from './probe/probe-input';
import { summarizePs } from './probe/probe-summary';
import { psPiecesOf } from './probe/ps-pieces';

const USAGE = `usage: tessera-ps-probe [--ps | --rfc4571 | --pcap] [--dump-ps OUT] [--stats] FILE

Prints {"video": {codec, frames, keyframes, width, height}, "audio": {codec, frames}} for a GB/T 28181 PS
file, an RFC 4571 (2-byte length + RTP) byte stream, or a pcap/pcapng capture (UDP RTP or TCP RFC 4571
flow carrying PS). The input kind is detected unless given. --dump-ps writes the PS reassembled from RTP;
--stats prints the demuxer counters to stderr. Through \`pnpm --filter @tessera/media-server exec\` the
working directory is media-server/: give absolute paths (e.g. "$PWD/capture.pcap").`;

const OPTIONS = {
  ps: { type: 'boolean' },
  rfc4571: { type: 'boolean' },
  pcap: { type: 'boolean' },
  'dump-ps': { type: 'string' },
  stats: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

function main(argv: string[]): number {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; allowPositionals: true; options: typeof OPTIONS }>
  >;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const buf = readFileSync(file);
  const kind: ProbeInputKind = values.pcap
    ? 'pcap'
    : values.rfc4571
      ? 'rfc4571'
      : values.ps
        ? 'ps'
        : detectProbeInput(buf);
  const pieces = psPiecesOf(buf, kind);
  const dump = values['dump-ps'];
  if (dump) {
    writeFileSync(dump, Buffer.concat(pieces.flatMap((p) => (p.kind === 'data' ? [p.bytes] : []))));
  }
  const { summary, stats } = summarizePs(pieces);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (values.stats) process.stderr.write(`${JSON.stringify({ input: kind, ...stats })}\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`tessera-ps-probe: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}

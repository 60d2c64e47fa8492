import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface FfprobeSummary {
  readonly video: { codec: string; frames: number; keyframes: number; width: number; height: number } | null;
  readonly audio: { codec: string; frames: number } | null;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  nb_read_frames?: string;
}

/** ffprobe's view of a file in our CLI's shape: decoded frame counts (`-count_frames`) and video keyframes. */
export async function ffprobe(file: string): Promise<FfprobeSummary> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-count_frames',
    '-show_streams',
    '-of',
    'json',
    file,
  ]);
  const streams = (JSON.parse(stdout) as { streams?: FfprobeStream[] }).streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video');
  const a = streams.find((s) => s.codec_type === 'audio');
  const frames = (s: FfprobeStream) => Number.parseInt(s.nb_read_frames ?? '0', 10) || 0;
  let keyframes = 0;
  if (v) {
    const { stdout: csv } = await run('ffprobe', [
      '-v',
      'error',
      '-select_streams',
      'v:0',
      '-show_entries',
      'frame=key_frame',
      '-of',
      'csv=p=0',
      file,
    ]);
    keyframes = csv.split('\n').filter((line) => line.startsWith('1')).length;
  }
  return {
    video: v
      ? {
          codec: v.codec_name === 'hevc' ? 'h265' : (v.codec_name ?? '?'),
          frames: frames(v),
          keyframes,
          width: v.width ?? 0,
          height: v.height ?? 0,
        }
      : null,
    audio: a ? { codec: a.codec_name ?? '?', frames: frames(a) } : null,
  };
}

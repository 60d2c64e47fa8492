import type { MediaTransport, StreamInfo } from '@tessera/contracts';

export type LiveSessionState = 'starting' | 'live' | 'ending';

/**
 * One upstream per channel: the media server's ingest and the gateway's call that feed it, shared by every viewer.
 * The platform owns its lifetime (grace period after the last viewer, teardown when either side ends).
 */
export interface LiveSession {
  sessionId: string;
  channelId: string;
  deviceId: string;
  civilCode: string | null;
  transport: MediaTransport;
  state: LiveSessionState;
  ingestId: string | null;
  callId: string | null;
  stream: StreamInfo | null;
  viewers: number;
  startedAt: number;
  liveAt: number | null;
  /** Settles when the first keyframe arrived (or the start failed). */
  ready: Promise<StreamInfo>;
  graceTimer: ReturnType<typeof setTimeout> | null;
}

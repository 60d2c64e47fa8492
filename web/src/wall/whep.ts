/**
 * WHEP (WebRTC-HTTP Egress Protocol) as the media server speaks it: non-trickle, recvonly video, the viewer token
 * as Bearer. The offer is sent once ICE gathering is complete (host candidates only: `iceServers: []`, the media
 * server is reached directly), the answer comes back in the 201.
 */

export type WhepResult =
  | { ok: true; connection: WhepConnection }
  | { ok: false; status: number | null; detail: string };

export interface WhepConnection {
  readonly peer: RTCPeerConnection;
  /** The remote video, usable at once: its track starts delivering when media flows. */
  readonly stream: MediaStream;
  /** Closes the peer connection and deletes the WHEP resource (best effort). Idempotent. */
  close(): void;
}

/** Chromium gathers host candidates in milliseconds; a broken network must not hold the tile for long. */
const GATHER_TIMEOUT_MS = 2000;

function gatheringComplete(peer: RTCPeerConnection, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (peer.iceGatheringState === 'complete') return resolve();
    const done = () => {
      clearTimeout(timer);
      peer.removeEventListener('icegatheringstatechange', onChange);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const onChange = () => {
      if (peer.iceGatheringState === 'complete') done();
    };
    const timer = setTimeout(done, GATHER_TIMEOUT_MS);
    peer.addEventListener('icegatheringstatechange', onChange);
    signal.addEventListener('abort', done);
  });
}

export async function connectWhep(url: string, token: string, signal: AbortSignal): Promise<WhepResult> {
  const peer = new RTCPeerConnection({ iceServers: [] });
  const transceiver = peer.addTransceiver('video', { direction: 'recvonly' });
  const stream = new MediaStream([transceiver.receiver.track]);
  let resource: string | null = null;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    peer.close();
    if (resource) {
      // keepalive: the DELETE must survive the page being closed or the tile being unmounted.
      void fetch(resource, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${token}` },
        keepalive: true,
      }).catch(() => undefined);
    }
  };
  const fail = (status: number | null, detail: string): WhepResult => {
    close();
    return { ok: false, status, detail };
  };
  try {
    await peer.setLocalDescription(await peer.createOffer());
    await gatheringComplete(peer, signal);
    if (signal.aborted) return fail(null, 'aborted');
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` },
      body: peer.localDescription?.sdp ?? '',
      signal,
    });
    const body = await response.text();
    if (response.status !== 201)
      return fail(response.status, body.slice(0, 200) || `HTTP ${response.status}`);
    const location = response.headers.get('Location');
    if (location) resource = new URL(location, url).toString();
    if (signal.aborted) return fail(null, 'aborted');
    await peer.setRemoteDescription({ type: 'answer', sdp: body });
    return { ok: true, connection: { peer, stream, close } };
  } catch (error) {
    return fail(null, error instanceof Error ? error.message : String(error));
  }
}

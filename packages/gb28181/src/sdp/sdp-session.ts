/**
 * The SDP model of GB/T 28181 (RFC 4566 plus the standard's `y=` SSRC and `f=` media format lines). Kept close to
 * the wire: values are strings where devices disagree on their form, and every line we do not model is kept, in
 * order, so a body survives parse → write.
 */

/** `a=<name>[:<value>]`; flag attributes such as `a=recvonly` have a null value. */
export interface SdpAttribute {
  name: string;
  value: string | null;
}

/** `c=IN IP4 10.0.0.5`; a multicast `/ttl` suffix stays in `address` as written (GB/T 28181 media is unicast). */
export interface SdpConnection {
  netType: string;
  addrType: string;
  address: string;
}

/** `t=<start> <stop>`: `0 0` for live, Unix seconds for GB/T 28181 playback and download (notes §1.6). */
export interface SdpTiming {
  start: number;
  stop: number;
}

/** A line we keep but do not model (`i=`, `b=`, `k=`, vendor letters). */
export interface SdpLine {
  type: string;
  value: string;
}

export interface SdpMedia {
  /** `video`, `audio`. */
  media: string;
  port: number;
  /** `m=video 30000/2 …`; null when absent. */
  portCount: number | null;
  /** `RTP/AVP`, `TCP/RTP/AVP`, as written. */
  protocol: string;
  /** Payload types as written (`96`, `98`…). */
  formats: string[];
  connection: SdpConnection | null;
  attributes: SdpAttribute[];
  other: SdpLine[];
}

export interface SdpSession {
  /** `v=`; "0" in every body seen. */
  version: string;
  /** `o=` as written: wvp and SRS put the device ID there, VAG.Node the platform ID, so it is never validated. */
  origin: string | null;
  /** `s=` as written: Play, Playback, Download (the standard spells it DoWnload). */
  sessionName: string;
  /** `u=<channelId>:<type>` of playback and download. */
  uri: string | null;
  connection: SdpConnection | null;
  timing: SdpTiming | null;
  /** Session-level attributes (before the first `m=`). */
  attributes: SdpAttribute[];
  media: SdpMedia[];
  /** `y=`, trimmed, unchecked (see `normalizeGbSsrc`); wherever it appears it belongs to the session. */
  ssrc: string | null;
  /** `f=v/<codec>/<resolution>/<fps>/<rate type>/<bitrate>a/<codec>/<bitrate>/<sample rate>`, as written. */
  format: string | null;
  other: SdpLine[];
}

export function emptySession(): SdpSession {
  return {
    version: '0',
    origin: null,
    sessionName: '',
    uri: null,
    connection: null,
    timing: null,
    attributes: [],
    media: [],
    ssrc: null,
    format: null,
    other: [],
  };
}

/**
 * SDP bodies from the field notes (/work/shared/gb28181/NOTES.md §1.6), with where each came from. They drive the
 * parse, answer, round-trip and fuzz tests alike.
 */
export interface SdpVector {
  name: string;
  source: string;
  body: string;
}

const crlf = (lines: string[]) => `${lines.join('\r\n')}\r\n`;

/** wvp `playStreamCmd`, live over UDP ("senior SDP" off). */
export const wvpUdpOffer: SdpVector = {
  name: 'wvp live UDP offer',
  source: 'wvp SIPCommander playStreamCmd (notes §1.6)',
  body: crlf([
    'v=0',
    'o=34020000002000000001 0 0 IN IP4 10.0.0.5',
    's=Play',
    'c=IN IP4 10.0.0.5',
    't=0 0',
    'm=video 30000 RTP/AVP 96 97 98 99',
    'a=recvonly',
    'a=rtpmap:96 PS/90000',
    'a=rtpmap:98 H264/90000',
    'a=rtpmap:97 MPEG4/90000',
    'a=rtpmap:99 H265/90000',
    'y=0100008888',
  ]),
};

/** A real camera's answer over TCP, from SRS's unit test `Gb200OkResponse`. */
export const cameraTcpAnswer: SdpVector = {
  name: 'camera TCP answer (SRS utest)',
  source: 'ossrs/srs trunk/src/utest/srs_utest_gb28181.cpp Gb200OkResponse (notes §1.6)',
  body: crlf([
    'v=0',
    'o=34020000001320000001 1941 1941 IN IP4 192.168.3.99',
    's=Play',
    'c=IN IP4 192.168.3.99',
    't=0 0',
    'm=video 15060 TCP/RTP/AVP 96',
    'a=setup:active',
    'a=sendonly',
    'a=rtpmap:96 PS/90000',
    'a=filesize:0',
    'y=0200007585',
  ]),
};

/**
 * A Dahua NVR answer: the vendor lines (`i=VCam Live Video`, `a=streamprofile:0`, `a=streamnumber:0`,
 * `y=0200005549`, `f=v/0/0/0/0/0a/0/0/0`) are quoted from public Dahua field notes; the rest is the usual
 * answer shape around them. LF line ends, as some firmwares send.
 */
export const dahuaAnswer: SdpVector = {
  name: 'Dahua answer with vendor extras, LF only',
  source: 'public Dahua IPC/NVR field notes (notes §1.6)',
  body: [
    'v=0',
    'o=34020000001320000002 0 0 IN IP4 192.168.1.108',
    's=Play',
    'i=VCam Live Video',
    'c=IN IP4 192.168.1.108',
    't=0 0',
    'm=video 20002 RTP/AVP 96',
    'a=sendonly',
    'a=rtpmap:96 PS/90000',
    'a=streamprofile:0',
    'a=streamnumber:0',
    'y=0200005549',
    'f=v/0/0/0/0/0a/0/0/0',
    '',
  ].join('\n'),
};

/** wvp `playbackStreamCmd`: s=Playback, u=, t= in Unix seconds, y=1…. */
export const wvpPlaybackOffer: SdpVector = {
  name: 'wvp playback offer, TCP passive',
  source: 'wvp SIPCommander playbackStreamCmd (notes §1.6)',
  body: crlf([
    'v=0',
    'o=34020000001320000001 0 0 IN IP4 10.0.0.5',
    's=Playback',
    'u=34020000001320000001:0',
    'c=IN IP4 10.0.0.5',
    't=1700000000 1700003600',
    'm=video 30002 TCP/RTP/AVP 96 97 98 99',
    'a=recvonly',
    'a=rtpmap:96 PS/90000',
    'a=rtpmap:98 H264/90000',
    'a=rtpmap:97 MPEG4/90000',
    'a=rtpmap:99 H265/90000',
    'a=setup:passive',
    'a=connection:new',
    'y=1100000001',
  ]),
};

/** The standard's spelling `DoWnload`, with `a=downloadspeed` and a `f=` that keeps its structure when empty. */
export const standardDownloadOffer: SdpVector = {
  name: 'download offer, standard spelling',
  source: 'GB/T 28181 §9.8 spelling, VAG.Node f= form (notes §1.6)',
  body: crlf([
    'v=0',
    'o=34020000002000000001 0 0 IN IP4 10.0.0.5',
    's=DoWnload',
    'u=34020000001320000001:0',
    'c=IN IP4 10.0.0.5',
    't=1700000000 1700000600',
    'm=video 30004 RTP/AVP 96',
    'a=recvonly',
    'a=rtpmap:96 PS/90000',
    'a=downloadspeed:4',
    'y=1100000002',
    'f=v/2/4///a///',
  ]),
};

export const vectors: SdpVector[] = [
  wvpUdpOffer,
  cameraTcpAnswer,
  dahuaAnswer,
  wvpPlaybackOffer,
  standardDownloadOffer,
];

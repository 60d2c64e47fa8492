import { loadSipFixture } from '../fixtures/fixtures';
import { readPcap, tcpStreams } from '../fixtures/pcap';

/**
 * One table of wire bytes drives the parse, serialize and fuzz tests (after gortsplib's request_test.go). Sources:
 * shared/gb28181/NOTES.md §1.2, §1.3, §1.6 (messages from SRS unit tests, wvp, Dahua field notes) and the two
 * captures in test/fixtures/sip.
 */
export interface WireMessage {
  name: string;
  bytes: Buffer;
  /** serialize(parse(bytes)) gives the same bytes back (true when the source already writes canonical SIP). */
  canonical: boolean;
}

const crlf = (lines: string[]) => `${lines.join('\r\n')}\r\n`;

function message(head: string[], body: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([Buffer.from(`${crlf(head)}\r\n`, 'latin1'), body]);
}

/** NOTES §1.2: a camera REGISTER, from SRS's unit test GbRegisterRequest. */
export const cameraRegister = message([
  'REGISTER sip:34020000002000000001@3402000000 SIP/2.0',
  'Via: SIP/2.0/UDP 192.168.3.99:5060;rport;branch=z9hG4bK442003727',
  'From: <sip:34020000001320000001@3402000000>;tag=307202390',
  'To: <sip:34020000001320000001@3402000000>',
  'Call-ID: 393945367',
  'CSeq: 1 REGISTER',
  'Contact: <sip:34020000001320000001@192.168.3.99:5060>',
  'Max-Forwards: 70',
  'User-Agent: IP Camera',
  'Expires: 3600',
  'Content-Length: 0',
]);

/**
 * NOTES §1.2: the Dahua NVR variant (IP:port in From/To, a Route). The notes show only these header lines; Via,
 * Call-ID (`n@ip`, as the Dahua IPC writes it) and CSeq are completed in the same style.
 */
export const dahuaNvrRegister = message([
  'REGISTER sip:34020000002000000001@192.168.1.125:5060 SIP/2.0',
  'Via: SIP/2.0/UDP 192.168.1.108:5060;rport;branch=z9hG4bK1803398404',
  'Contact: <sip:34020000001180000001@192.168.1.108:5060>',
  'From: <sip:34020000001180000001@192.168.1.108:5060>;tag=d28d156d2c72dcfb6a49ceb55f9627e8',
  'Route: <sip:34020000001180000001@192.168.1.125:5060;lr>',
  'To: <sip:34020000001180000001@192.168.1.108:5060>',
  'Call-ID: 1183526394@192.168.1.108',
  'CSeq: 1 REGISTER',
  'User-Agent: SIP UAS V3.0.0.1208500',
  'Expires: 3600',
  'Content-Length: 0',
]);

/** NOTES §1.3: Dahua IPC keepalive, real; `Content-Length:   178` with extra spaces, 178 = the LF-terminated body. */
export const dahuaKeepaliveBody = Buffer.from(
  '<?xml version="1.0" encoding="GB2312" ?>\n<Notify>\n    <CmdType>Keepalive</CmdType>\n    <SN>4</SN>\n' +
    '    <DeviceID>34020000001320000001</DeviceID>\n    <Status>OK</Status>\n</Notify>\n',
  'latin1',
);
export const dahuaKeepalive = message(
  [
    'MESSAGE sip:34020000002000000001@192.168.1.125:5060 SIP/2.0',
    'Via: SIP/2.0/UDP 192.168.1.107:5060;rport;branch=z9hG4bK990289307',
    'From: <sip:34020000001320000001@192.168.1.107:5060>;tag=50882131',
    'To: <sip:34020000002000000001@192.168.1.125:5060>',
    'Call-ID: 432363298@192.168.1.107',
    'CSeq: 20 MESSAGE',
    'Max-Forwards: 70',
    'User-Agent: DH SIP UAS V1.0',
    'Content-Type: Application/MANSCDP+xml',
    'Content-Length:   178',
  ],
  dahuaKeepaliveBody,
);

/**
 * NOTES §1.4/§1.9: a Dahua NVR catalog item whose Name is GB2312 bytes ("1.64 海康摄像机"), shown in the notes as
 * Latin-1 mojibake; Latin-1 → bytes recovers the original. Content-Length counts bytes (10 two-byte characters).
 */
export const gb2312CatalogBody = Buffer.from(
  '<?xml version="1.0" encoding="GB2312" standalone="yes" ?><Response><CmdType>Catalog</CmdType><SN>4</SN>\n' +
    '<DeviceID>34020000001180000001</DeviceID><SumNum>4</SumNum><DeviceList Num="1"><Item>\n' +
    '<DeviceID>34020000001310000004</DeviceID><Name>1.64 º£¿µÉãÏñ»ú</Name><Manufacturer>General</Manufacturer>\n' +
    '<Status>ON</Status></Item></DeviceList></Response>\n',
  'latin1',
);
export const gb2312Catalog = message(
  [
    'MESSAGE sip:34020000002000000001@3402000000 SIP/2.0',
    'Via: SIP/2.0/UDP 192.168.1.108:5060;rport;branch=z9hG4bK2045891',
    'From: <sip:34020000001180000001@3402000000>;tag=1417254914',
    'To: <sip:34020000002000000001@3402000000>',
    'Call-ID: 1537209521@192.168.1.108',
    'CSeq: 21 MESSAGE',
    'Content-Type: Application/MANSCDP+xml',
    'Max-Forwards: 70',
    'User-Agent: SIP UAS V3.0.0.1208500',
    `Content-Length: ${gb2312CatalogBody.length}`,
  ],
  gb2312CatalogBody,
);

/** NOTES §1.6: wvp's live-play offer, in an INVITE with wvp's headers (Subject `channel:ssrc,platform:0`). */
export const wvpInviteBody = Buffer.from(
  crlf([
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
  'latin1',
);
export const wvpInvite = message(
  [
    'INVITE sip:34020000001320000001@3402000000 SIP/2.0',
    'Via: SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bK3589716329',
    'From: <sip:34020000002000000001@3402000000>;tag=1650612372',
    'To: <sip:34020000001320000001@3402000000>',
    'Call-ID: 6a9f83b2d3e1c0f7a5b4@10.0.0.5',
    'CSeq: 7 INVITE',
    'Contact: <sip:34020000002000000001@10.0.0.5:5060>',
    'Max-Forwards: 70',
    'Subject: 34020000001320000001:0100008888,34020000002000000001:0',
    'Content-Type: APPLICATION/SDP',
    `Content-Length: ${wvpInviteBody.length}`,
  ],
  wvpInviteBody,
);

/** NOTES §1.6: the camera's answer from SRS's Gb200OkResponse test (TCP/RTP/AVP, a=setup:active, y=). */
export const cameraAnswerBody = Buffer.from(
  crlf([
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
  'latin1',
);
export const cameraInviteOk = message(
  [
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/UDP 10.0.0.5:5060;rport=5060;branch=z9hG4bK3589716329;received=10.0.0.5',
    'From: <sip:34020000002000000001@3402000000>;tag=1650612372',
    'To: <sip:34020000001320000001@3402000000>;tag=1941',
    'Call-ID: 6a9f83b2d3e1c0f7a5b4@10.0.0.5',
    'CSeq: 7 INVITE',
    'Contact: <sip:34020000001320000001@192.168.3.99:5060>',
    'Content-Type: application/sdp',
    `Content-Length: ${cameraAnswerBody.length}`,
  ],
  cameraAnswerBody,
);

/** NOTES §1.2: wvp's 401 challenge. */
export const wvpChallenge = message([
  'SIP/2.0 401 Unauthorized',
  'Via: SIP/2.0/UDP 192.168.3.99:5060;rport=5060;branch=z9hG4bK442003727;received=192.168.3.99',
  'From: <sip:34020000001320000001@3402000000>;tag=307202390',
  'To: <sip:34020000001320000001@3402000000>;tag=987654321',
  'Call-ID: 393945367',
  'CSeq: 1 REGISTER',
  'WWW-Authenticate: Digest realm="3402000000", qop="auth", nonce="9bd4bb8bf7fbf1a4cd7bbd3d7b9c2c8a", algorithm=MD5',
  'Content-Length: 0',
]);

/** sbgb28181's REGISTER from the UDP capture, which a naive parser answered `400 missing to header`. */
export function sbgbRegister(): Buffer {
  const packets = readPcap(loadSipFixture('sbgb28181_vs_vagnode_udp_register400.pcap'));
  const register = packets.find(
    (packet) => packet.protocol === 'udp' && packet.payload.subarray(0, 8).toString() === 'REGISTER',
  );
  if (!register) throw new Error('no REGISTER in the sbgb28181 capture');
  return register.payload;
}

/** The srs-bench ↔ SRS SIP-over-TCP streams, as captured segments per direction. */
export function srsBenchSipStreams(): { fromDevice: Buffer[]; fromSrs: Buffer[] } {
  const streams = tcpStreams(readPcap(loadSipFixture('srsbench_vs_srs_h264aac_tcp.pcap')));
  const fromDevice = [...streams].find(([key]) => key.endsWith(':5060'))?.[1];
  const fromSrs = [...streams].find(([key]) => key.includes(':5060>'))?.[1];
  if (!fromDevice || !fromSrs) throw new Error('no SIP streams in the srs-bench capture');
  return { fromDevice, fromSrs };
}

/** Every message of the table, with whether it re-serializes byte for byte. */
export function wireTable(): WireMessage[] {
  const { fromDevice, fromSrs } = srsBenchSipStreams();
  return [
    { name: 'camera REGISTER (SRS utest)', bytes: cameraRegister, canonical: true },
    { name: 'Dahua NVR REGISTER with IP:port From/To and Route', bytes: dahuaNvrRegister, canonical: true },
    // Content-Length:   178 is re-written without the extra spaces.
    { name: 'Dahua keepalive MESSAGE', bytes: dahuaKeepalive, canonical: false },
    { name: 'GB2312 catalog MESSAGE', bytes: gb2312Catalog, canonical: true },
    { name: 'wvp INVITE with SDP offer', bytes: wvpInvite, canonical: true },
    { name: 'camera 200 OK with SDP answer', bytes: cameraInviteOk, canonical: true },
    { name: 'wvp 401 challenge', bytes: wvpChallenge, canonical: true },
    { name: 'sbgb28181 REGISTER (pcap)', bytes: sbgbRegister(), canonical: true },
    { name: 'srs-bench REGISTER over TCP (pcap)', bytes: fromDevice[0]!, canonical: true },
    {
      name: 'SRS INVITE over TCP, body in the next segment (pcap)',
      bytes: Buffer.concat(fromSrs.slice(1, 3)),
      canonical: true,
    },
    { name: 'srs-bench 200 OK without To-tag (pcap)', bytes: fromDevice[2]!, canonical: true },
    { name: 'srs-bench keepalive, no Content-Type, two Vias (pcap)', bytes: fromDevice[3]!, canonical: true },
  ];
}

import { H264RtpPayload, RTCPeerConnection, RTCRtpCodecParameters } from 'werift';

/**
 * Child process of the benchmark: K werift viewers of one session (WHEP), counting what they receive.
 * argv: whepUrl, token, K, seconds. Prints {viewers, packets, bytes, keyframes} when done.
 */
const [url, token, countText, secondsText] = process.argv.slice(2);
let packets = 0;
let bytes = 0;
let keyframes = 0;
const pcs: RTCPeerConnection[] = [];

async function join(): Promise<void> {
  const pc = new RTCPeerConnection({
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    codecs: {
      video: [
        new RTCRtpCodecParameters({
          mimeType: 'video/H264',
          clockRate: 90_000,
          parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
        }),
      ],
    },
  });
  pcs.push(pc);
  pc.addTransceiver('video', { direction: 'recvonly' });
  pc.onTrack.subscribe((track) =>
    track.onReceiveRtp.subscribe((rtp) => {
      packets++;
      bytes += rtp.payload.length;
      if (H264RtpPayload.deSerialize(rtp.payload).isKeyframe && rtp.payload[1]! & 0x80) keyframes++;
    }),
  );
  await pc.setLocalDescription(await pc.createOffer());
  const response = await fetch(url!, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` },
    body: pc.localDescription!.sdp,
  });
  if (response.status !== 201) throw new Error(`WHEP ${response.status}`);
  await pc.setRemoteDescription({ type: 'answer', sdp: await response.text() });
}

const count = Number(countText);
for (let i = 0; i < count; i++) await join();
process.stdout.write('joined\n');
await new Promise((r) => setTimeout(r, Number(secondsText) * 1000));
process.stdout.write(`${JSON.stringify({ viewers: count, packets, bytes, keyframes })}\n`);
await Promise.all(pcs.map((pc) => pc.close()));
process.exit(0);

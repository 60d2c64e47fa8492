import { describe, expect, it } from 'vitest';
import { planAudioAnswer } from '../../src/webrtc/audio-offer';

/** The audio section of a Chromium offer (trimmed), before its video section. */
const chromium = (direction = 'recvonly') =>
  [
    'v=0',
    'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
    'a=mid:0',
    `a=${direction}`,
    'a=rtpmap:111 opus/48000/2',
    'a=fmtp:111 minptime=10;useinbandfec=1',
    'a=rtpmap:63 red/48000/2',
    'a=rtpmap:9 G722/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:13 CN/8000',
    'a=rtpmap:110 telephone-event/48000',
    'a=rtpmap:126 telephone-event/8000',
    'm=video 9 UDP/TLS/RTP/SAVPF 96',
    'a=rtpmap:96 H264/90000',
    '',
  ].join('\r\n');

const names = (plan: ReturnType<typeof planAudioAnswer>) => plan.codecs.map((c) => c.mimeType);

describe('planAudioAnswer', () => {
  it("sends the camera's G.711 as is when offered, and gives werift only that codec", () => {
    expect(planAudioAnswer(chromium(), 'g711a')).toMatchObject({ send: { codec: 'g711a' } });
    expect(names(planAudioAnswer(chromium(), 'g711a'))).toEqual(['audio/PCMA']);
    expect(names(planAudioAnswer(chromium('sendrecv'), 'g711u'))).toEqual(['audio/PCMU']);
  });

  it('makes Opus of AAC only when a transcoder is there and Opus is offered', () => {
    expect(planAudioAnswer(chromium(), 'aac', true)).toMatchObject({ send: { codec: 'opus' } });
    expect(names(planAudioAnswer(chromium(), 'aac', true))).toEqual(['audio/opus']);
    expect(planAudioAnswer(chromium(), 'aac', false).send).toBeUndefined();
  });

  it('answers inactive with the first real offered codec otherwise (no audio, sendonly, another codec)', () => {
    for (const plan of [
      planAudioAnswer(chromium(), undefined),
      planAudioAnswer(chromium('sendonly'), 'g711a'),
      planAudioAnswer(chromium('inactive'), 'aac', true),
      planAudioAnswer(chromium(), 'g722'),
    ]) {
      expect(plan.send).toBeUndefined();
      expect(names(plan)).toEqual(['audio/opus']);
    }
    const opusOnly = 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n';
    expect(planAudioAnswer(opusOnly, 'g711a')).toMatchObject({ send: undefined });
    expect(names(planAudioAnswer('v=0\r\nm=audio 9 RTP/AVP 0\r\n', 'g711u'))).toEqual(['audio/PCMU']); // static PT
  });

  it('has nothing to plan without an audio section', () => {
    expect(planAudioAnswer('v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n', 'g711a')).toEqual({
      codecs: [],
      send: undefined,
    });
  });
});

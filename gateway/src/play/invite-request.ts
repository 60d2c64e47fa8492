import type { InviteRequest } from '@tessera/contracts';
import { buildOffer } from '@tessera/gb28181';
import { RequestBuilder, type SipRequest } from '@tessera/sip';

export interface InviteIdentity {
  platformId: string;
  realm: string;
  /** `host:port` devices reach us at, for Contact. */
  contactHost: string;
}

/**
 * The platform's INVITE for a channel (GB/T 28181 §9.2, notes §1.6): Request-URI and To = the channel at our realm,
 * From = the platform with a tag, `Subject: <channelId>:<ssrc>,<platformId>:0` (sender's channel and SSRC, then
 * the receiver and its stream index, as wvp writes it), Contact, and the wvp-shaped SDP offer as APPLICATION/SDP.
 * Throws SdpBuildError when the request cannot be offered (a caller error).
 */
export function buildInvite(request: InviteRequest, identity: InviteIdentity): SipRequest {
  const { platformId, realm } = identity;
  const channelUri = `sip:${request.channelId}@${realm}`;
  const body = buildOffer({
    sessionName: request.sessionName,
    originId: request.channelId,
    channelId: request.channelId,
    mediaHost: request.mediaHost,
    mediaPort: request.mediaPort,
    transport: request.transport,
    ssrc: request.ssrc,
    startTime: request.startTime,
    endTime: request.endTime,
  });
  const builder = new RequestBuilder({
    from: `sip:${platformId}@${realm}`,
    to: channelUri,
    contact: `sip:${platformId}@${identity.contactHost}`,
  });
  return builder.build('INVITE', {
    uri: channelUri,
    headers: [['Subject', `${request.channelId}:${request.ssrc},${platformId}:0`]],
    contentType: 'APPLICATION/SDP',
    body,
  });
}

/**
 * GB/T 28181 live play, playback and download from the platform's side: the INVITE dialogs with devices.
 * Depends on sip/ and sdp/; gateway.ts wires it to the bus and to presence.
 */
export { CallManager, type CallManagerOptions, type CallManagerStats, type PlayCall } from './call-manager';
export { buildInvite, type InviteIdentity } from './invite-request';
export { failureOf, gatewayClosing, inviteTimedOut, notRegistered, refusedBy } from './invite-outcome';

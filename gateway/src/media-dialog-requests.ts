import type { RequestContext, SipRequest } from '@tessera/sip';

/**
 * The other side's request in a dialog that carries one media stream — our play calls to devices and our relays to
 * upper platforms — once the dialog and its peer have been checked. Everything but BYE is answered here, the same way
 * for both: INFO is 200 (a vendor's status, or MANSRTSP that only Playback dialogs act on), so the peer does not tear
 * the call down; a re-INVITE or UPDATE is 488, the stream cannot be changed in place (RFC 3261 §14.2); anything else is
 * 405 with Allow. BYE is left to the caller, which owns the stream and ends it (§15.1.2).
 */
export function answerMediaDialogRequest(request: SipRequest, context: RequestContext): 'bye' | 'answered' {
  switch (request.method) {
    case 'BYE':
      return 'bye';
    case 'INFO':
      context.respond(200, 'OK');
      return 'answered';
    case 'INVITE':
    case 'UPDATE':
      context.respond(488, 'Not Acceptable Here');
      return 'answered';
    default:
      context.respond(405, 'Method Not Allowed', { headers: [['Allow', 'BYE, INFO']] });
      return 'answered';
  }
}

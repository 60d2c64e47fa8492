/**
 * GB/T 28181's own formats on top of SIP, as pure codecs: MANSCDP (the XML bodies of MESSAGE/NOTIFY/SUBSCRIBE,
 * their charsets, multi-packet answers, PTZCmd) and GB SDP (offer and answer with y=/f=). No sockets, no SIP: the
 * caller hands bodies in and takes bodies out.
 */
export * from './manscdp/index';
export * from './sdp/index';

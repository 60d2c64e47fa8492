import { describe, expect, it } from 'vitest';
import { getCallId, getFrom, getTo, getTopVia, parseMessage, parseNameAddr } from '../../src';
import { sbgbRegister } from '../support/wire-messages';

// VAG.Node answered this REGISTER from sbgb28181 with "400 missing to header" (see the capture): its parser choked
// on the Contact's `;+sip.instance="<urn:uuid:…>"` and the domain-only Request-URI. Ours must read it whole.
describe('regression: sbgb28181 REGISTER answered "400 missing to header" by a naive parser', () => {
  const register = parseMessage(sbgbRegister());

  it('parses as a REGISTER to the domain', () => {
    expect(register).toMatchObject({ kind: 'request', method: 'REGISTER', uri: 'sip:3402000000' });
  });

  it('has the right From, To and Contact', () => {
    expect(getFrom(register)).toMatchObject({
      uri: { user: '34020000001320000001', host: '3402000000' },
      tag: 'reg',
    });
    expect(getTo(register).uri).toMatchObject({ user: '34020000001320000001', host: '3402000000' });
    expect(getTo(register).tag).toBeUndefined();
    expect(register.headers.getAll('Contact')).toHaveLength(1);
    const contact = parseNameAddr(register.headers.get('Contact')!);
    expect(contact.uri).toMatchObject({ user: '34020000001320000001', host: '127.0.0.1', port: 49847 });
    expect(contact.params.get('+sip.instance')).toBe('<urn:uuid:34020000001320000001>');
  });

  it('has the Via, Call-ID and Expires a registrar needs', () => {
    expect(getTopVia(register)).toMatchObject({
      host: '127.0.0.1',
      port: 49847,
      branch: 'z9hG4bK1795361340362732739',
    });
    expect(getCallId(register)).toBe('34020000001320000001');
    expect(register.headers.get('Expires')).toBe('3600');
  });
});

import { describe, expect, it } from 'vitest';
import {
  parseAuthHeader,
  parseChallenge,
  parseCredentials,
  parseCSeq,
  parseExpires,
  parseMessage,
  parseNameAddr,
  parseUri,
  parseVia,
  SipAuthError,
  SipFramingError,
  SipParseError,
  SipStreamFramer,
  salvageRequest,
  serializeMessage,
} from '../src';
import { MemoryNetwork } from './support/memory-network';
import { randomInt, seededRandom } from './support/random';
import { wireTable } from './support/wire-messages';

/** Runs the parser; anything but a SipParseError with a real reason fails the test with the input attached. */
function parseOrParseError(input: Buffer): void {
  try {
    const message = parseMessage(input);
    // Whatever parses must serialize and parse again.
    parseMessage(serializeMessage(message));
  } catch (error) {
    if (!(error instanceof SipParseError) || error.reason === 'internal') {
      throw new Error(`unexpected ${String(error)} for input ${input.toString('hex').slice(0, 400)}`, {
        cause: error,
      });
    }
  }
}

function onlyParseErrors(fn: () => unknown, input: string): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof SipParseError) && !(error instanceof SipAuthError)) {
      throw new Error(`unexpected ${String(error)} for ${JSON.stringify(input)}`, { cause: error });
    }
  }
}

const table = wireTable();
const sipAlphabet = Buffer.from(
  'SIP/2.0 :;,=<>"\\@\r\n\t sip:z9hG4bK0123456789abcdefVia From To CSeq Call-ID l: v:[]%',
  'latin1',
);

function mutate(random: () => number, source: Buffer): Buffer {
  const bytes = Buffer.from(source);
  const edits = 1 + randomInt(random, 8);
  let out = bytes;
  for (let i = 0; i < edits; i++) {
    const at = randomInt(random, out.length + 1);
    switch (randomInt(random, 5)) {
      case 0: // flip a byte to anything
        if (out.length > 0) out[Math.min(at, out.length - 1)] = randomInt(random, 256);
        break;
      case 1: // insert grammar-ish bytes
        out = Buffer.concat([
          out.subarray(0, at),
          sipAlphabet.subarray(randomInt(random, sipAlphabet.length)),
          out.subarray(at),
        ]);
        break;
      case 2: // delete a run
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + randomInt(random, 20))]);
        break;
      case 3: // duplicate a run
        out = Buffer.concat([
          out.subarray(0, at),
          out.subarray(at, at + randomInt(random, 60)),
          out.subarray(at),
        ]);
        break;
      default: // swap a byte for a delimiter
        if (out.length > 0)
          out[Math.min(at, out.length - 1)] = sipAlphabet[randomInt(random, sipAlphabet.length)]!;
    }
  }
  return out;
}

describe('fuzz: parseMessage throws nothing but SipParseError', () => {
  it('on random bytes', () => {
    const random = seededRandom(0x5eed01);
    for (let i = 0; i < 3000; i++) {
      const bytes = Buffer.alloc(randomInt(random, 1500));
      for (let j = 0; j < bytes.length; j++) bytes[j] = randomInt(random, 256);
      parseOrParseError(bytes);
    }
  });

  it('on random text made of SIP delimiters and tokens', () => {
    const random = seededRandom(0x5eed02);
    for (let i = 0; i < 3000; i++) {
      const length = randomInt(random, 600);
      const bytes = Buffer.alloc(length);
      for (let j = 0; j < length; j++) bytes[j] = sipAlphabet[randomInt(random, sipAlphabet.length)]!;
      parseOrParseError(Buffer.concat([Buffer.from('INVITE sip:a@b SIP/2.0\r\n'), bytes]));
    }
  });

  for (const entry of table) {
    it(`on every truncation of: ${entry.name}`, () => {
      for (let end = 0; end <= entry.bytes.length; end++) parseOrParseError(entry.bytes.subarray(0, end));
    });

    it(`on random mutations of: ${entry.name}`, () => {
      const random = seededRandom(entry.bytes.length);
      for (let i = 0; i < 600; i++) parseOrParseError(mutate(random, entry.bytes));
    });
  }
});

describe('fuzz: header grammars throw nothing but SipParseError', () => {
  const grammars: Array<[string, (text: string) => unknown]> = [
    ['parseUri', parseUri],
    ['parseNameAddr', parseNameAddr],
    ['parseVia', parseVia],
    ['parseCSeq', parseCSeq],
    ['parseExpires', parseExpires],
    ['parseAuthHeader', parseAuthHeader],
    ['parseChallenge', parseChallenge],
    ['parseCredentials', parseCredentials],
  ];
  const seeds = [
    '"Cam" <sip:34020000001320000001@192.168.1.108:5060;lr>;tag=1;+sip.instance="<urn:uuid:1>"',
    'SIP/2.0/UDP 192.168.1.107:5060;rport;branch=z9hG4bK990289307;received=1.2.3.4',
    'Digest username="3402", realm="3402000000", nonce="abc", uri="sip:1.2.3.4:5060", response="00", qop=auth, nc=00000001, cnonce="x"',
    '20 MESSAGE',
    'sips:u:p@[2001:db8::1]:5061;transport=tcp?x=y',
  ];
  for (const [name, grammar] of grammars) {
    it(name, () => {
      const random = seededRandom(name.length * 7919);
      for (const seed of seeds) {
        for (let end = 0; end <= seed.length; end++)
          onlyParseErrors(() => grammar(seed.slice(0, end)), seed.slice(0, end));
        for (let i = 0; i < 400; i++) {
          const text = mutate(random, Buffer.from(seed, 'latin1')).toString('latin1');
          onlyParseErrors(() => grammar(text), text);
        }
      }
    });
  }
});

describe('fuzz: salvageRequest and the stream framer', () => {
  it('salvageRequest never throws', () => {
    const random = seededRandom(0x5eed03);
    for (const entry of table) {
      for (let i = 0; i < 300; i++) expect(() => salvageRequest(mutate(random, entry.bytes))).not.toThrow();
    }
  });

  it('the framer throws nothing but SipFramingError on random streams', () => {
    const random = seededRandom(0x5eed04);
    for (let round = 0; round < 300; round++) {
      const framer = new SipStreamFramer({ maxMessageBytes: 4096 });
      const stream = Buffer.concat(table.map((entry) => mutate(random, entry.bytes)));
      try {
        for (let at = 0; at < stream.length; ) {
          const size = 1 + randomInt(random, 700);
          for (const message of framer.push(stream.subarray(at, at + size))) parseOrParseError(message);
          at += size;
        }
      } catch (error) {
        if (!(error instanceof SipFramingError)) throw error;
      }
    }
  });
});

describe('fuzz: every bad datagram is counted by the transport', () => {
  it('received + parseErrors + keepalives equals what was injected', async () => {
    const network = new MemoryNetwork();
    const transport = network.transport({ address: '10.0.0.1', port: 5060 });
    await transport.listen();
    const random = seededRandom(0x5eed05);
    let parsed = 0;
    transport.on('message', () => parsed++);
    const injected = 2000;
    for (let i = 0; i < injected; i++) {
      const entry = table[randomInt(random, table.length)]!;
      transport.inject(mutate(random, entry.bytes), { transport: 'udp', address: '10.0.0.2', port: 5060 });
    }
    const { messagesReceived, parseErrors, keepalives } = transport.stats;
    expect(messagesReceived).toBe(parsed);
    expect(messagesReceived + parseErrors + keepalives).toBe(injected);
    expect(parseErrors).toBeGreaterThan(0);
    await transport.close();
  });
});

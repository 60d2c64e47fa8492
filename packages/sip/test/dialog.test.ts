import { describe, expect, it } from 'vitest';
import {
  createResponse,
  Dialog,
  type DialogId,
  type DialogPersistence,
  type DialogRecord,
  DialogStore,
  getCSeq,
  getTo,
  parseDialogRecord,
  type RemoteAddress,
  RequestBuilder,
  type SipRequest,
} from '../src';

const camera: RemoteAddress = { transport: 'tcp', address: '10.0.0.2', port: 5060, connectionId: 'c-7' };
const upper: RemoteAddress = { transport: 'udp', address: '10.0.0.9', port: 5070 };

/** Our INVITE to a channel and the camera's 200 (with Contact and Record-Route). */
function uacExchange() {
  const leg = new RequestBuilder({
    from: 'sip:34020000002000000001@3402000000',
    to: 'sip:34020000001310000001@3402000000',
    contact: 'sip:34020000002000000001@10.0.0.1:5060',
    firstCSeq: 20,
  });
  const invite = leg.build('INVITE', { uri: 'sip:34020000001310000001@3402000000' });
  const ok = createResponse(invite, 200, 'OK', {
    headers: [
      ['Contact', '<sip:34020000001310000001@10.0.0.2:5060>'],
      ['Record-Route', '<sip:proxy-a;lr>'],
      ['Record-Route', '<sip:proxy-b;lr>'],
    ],
  });
  return { invite, ok };
}

/** The upper's SUBSCRIBE to us and our 200. */
function uasExchange() {
  const leg = new RequestBuilder({
    from: 'sip:34020000002000000009@3402000000',
    to: 'sip:34020000002000000001@3402000000',
    contact: 'sip:34020000002000000009@10.0.0.9:5070',
    firstCSeq: 7,
  });
  const subscribe = leg.build('SUBSCRIBE', {
    uri: 'sip:34020000002000000001@3402000000',
    headers: [['Record-Route', '<sip:proxy-a;lr>']],
  });
  const ok = createResponse(subscribe, 200, 'OK', { toTag: 'ours-1' });
  return { subscribe, ok, leg };
}

/** The other side's request in the dialog, From/To seen from its side. */
function theirs(dialog: DialogId & { from: string; to: string }, method: string, seq: number): SipRequest {
  const request = new RequestBuilder({ from: 'sip:x@y', to: 'sip:x@y' }).build(method, { uri: 'sip:x@y' });
  request.headers.set('From', dialog.to);
  request.headers.set('To', dialog.from);
  request.headers.set('Call-ID', dialog.callId);
  request.headers.set('CSeq', `${seq} ${method}`);
  return request;
}

describe('Dialog', () => {
  it('UAC (RFC 3261 §12.1.2): remote target from the 2xx Contact, route set reversed, local CSeq from the INVITE', () => {
    const { invite, ok } = uacExchange();
    const dialog = Dialog.asUac({ request: invite, response: ok, remote: camera, data: { deviceId: 'd1' } });
    expect(dialog).toMatchObject({
      role: 'uac',
      state: 'confirmed',
      callId: invite.headers.get('Call-ID'),
      remoteTag: getTo(ok).tag,
      remoteTarget: 'sip:34020000001310000001@10.0.0.2:5060',
      routeSet: ['<sip:proxy-b;lr>', '<sip:proxy-a;lr>'],
      secure: false,
      localCSeq: 20,
      remoteCSeq: null,
    });
    const bye = dialog.request('BYE');
    expect(bye.uri).toBe('sip:34020000001310000001@10.0.0.2:5060');
    expect(getCSeq(bye)).toEqual({ seq: 21, method: 'BYE' });
    expect(bye.headers.getAll('Route')).toEqual(['<sip:proxy-b;lr>', '<sip:proxy-a;lr>']);
    expect(bye.headers.get('From')).toBe(invite.headers.get('From'));
    expect(bye.headers.get('To')).toBe(ok.headers.get('To'));
  });

  it('UAC with a 2xx without To-tag nor Contact (srs-bench): null remote tag, the channel at its address', () => {
    const { invite } = uacExchange();
    const bare = createResponse(invite, 200, 'OK');
    bare.headers.set('To', invite.headers.get('To')!);
    const dialog = Dialog.asUac({
      request: invite,
      response: bare,
      remote: camera,
      targetUser: '34020000001310000001',
    });
    expect(dialog.remoteTag).toBeNull();
    expect(dialog.remoteTarget).toBe('sip:34020000001310000001@10.0.0.2:5060');
  });

  it('UAS (§12.1.1): From/To swapped, route set in order, remote CSeq from the request, ours from 1', () => {
    const { subscribe, ok } = uasExchange();
    const dialog = Dialog.asUas({ request: subscribe, response: ok, remote: upper });
    expect(dialog).toMatchObject({
      role: 'uas',
      localTag: 'ours-1',
      remoteTarget: 'sip:34020000002000000009@10.0.0.9:5070',
      routeSet: ['<sip:proxy-a;lr>'],
      localCSeq: 0,
      remoteCSeq: 7,
    });
    const notify = dialog.request('NOTIFY');
    expect(getCSeq(notify)).toEqual({ seq: 1, method: 'NOTIFY' });
    expect(notify.headers.get('From')).toBe(ok.headers.get('To'));
    expect(notify.headers.get('To')).toBe(subscribe.headers.get('From'));
  });

  it('§12.2.2: a remote CSeq lower than the last one is out of order; equal or higher goes on; ACK is not counted', () => {
    const { subscribe, ok } = uasExchange();
    const dialog = Dialog.asUas({ request: subscribe, response: ok, remote: upper });
    expect(dialog.receive(theirs(dialog, 'SUBSCRIBE', 8))).toBe('accepted');
    expect(dialog.receive(theirs(dialog, 'ACK', 1))).toBe('accepted');
    expect(dialog.receive(theirs(dialog, 'SUBSCRIBE', 6))).toBe('out-of-order');
    expect(dialog.remoteCSeq).toBe(8);
  });

  it('round-trips through a record (JSON, parsed back), without the TCP connection ID', () => {
    const { invite, ok } = uacExchange();
    const dialog = Dialog.asUac({ request: invite, response: ok, remote: camera, data: { sessionId: 's1' } });
    dialog.request('INFO');
    const record = parseDialogRecord(JSON.parse(JSON.stringify(dialog.toRecord())));
    expect(record.remote).toEqual({ transport: 'tcp', address: '10.0.0.2', port: 5060 });
    const again = Dialog.fromRecord(record);
    expect(again.toRecord()).toEqual(dialog.toRecord());
    // The copy goes on counting where the original stopped.
    expect(getCSeq(again.request('BYE')).seq).toBe(22);
    expect(() => parseDialogRecord({ ...record, callId: '' })).toThrow();
    expect(() => parseDialogRecord({ role: 'uac' })).toThrow();
  });
});

/** A persistence hook over a Map, as the gateway's over its key/value store. */
class MapPersistence implements DialogPersistence {
  readonly records = new Map<string, string>();
  async save(record: DialogRecord): Promise<void> {
    this.records.set(key(record), JSON.stringify(record));
  }
  async delete(id: DialogId): Promise<void> {
    this.records.delete(key(id));
  }
  async load(callId: string): Promise<DialogRecord[]> {
    return [...this.records.entries()]
      .filter(([k]) => k.startsWith(`${callId}|`))
      .map(([, v]) => parseDialogRecord(JSON.parse(v)));
  }
}
const key = (id: DialogId) => `${id.callId}|${id.localTag}|${id.remoteTag}`;

describe('DialogStore', () => {
  it("matches the other side's request by Call-ID, To-tag = our tag, From-tag = theirs; nothing else", () => {
    const store = new DialogStore();
    const { subscribe, ok } = uasExchange();
    const dialog = Dialog.asUas({ request: subscribe, response: ok, remote: upper });
    const second = uasExchange();
    const other = Dialog.asUas({ request: second.subscribe, response: second.ok, remote: upper });
    store.add(dialog);
    store.add(other);
    store.add(dialog);
    expect(store.size).toBe(2);
    expect(store.match(theirs(dialog, 'NOTIFY', 8))).toBe(dialog);
    expect(store.match(theirs(other, 'NOTIFY', 8))).toBe(other);
    const wrongTo = theirs(dialog, 'BYE', 9);
    wrongTo.headers.set('To', '<sip:a@b>;tag=nope');
    expect(store.match(wrongTo)).toBeUndefined();
    const wrongFrom = theirs(dialog, 'BYE', 9);
    wrongFrom.headers.set('From', '<sip:a@b>;tag=nope');
    expect(store.match(wrongFrom)).toBeUndefined();
    const noTo = theirs(dialog, 'BYE', 9);
    noTo.headers.set('To', '<sip:a@b>');
    expect(store.match(noTo)).toBeUndefined();
    store.remove(dialog);
    expect(store.match(theirs(dialog, 'NOTIFY', 8))).toBeUndefined();
    expect(store.size).toBe(1);
  });

  it('a dialog without a remote tag (a 2xx without To-tag) is matched on Call-ID and our tag', () => {
    const store = new DialogStore();
    const { invite } = uacExchange();
    const bare = createResponse(invite, 200, 'OK');
    bare.headers.set('To', invite.headers.get('To')!);
    const dialog = Dialog.asUac({ request: invite, response: bare, remote: camera });
    store.add(dialog);
    const bye = theirs(dialog, 'BYE', 1);
    bye.headers.set('From', `${dialog.to};tag=whatever-the-camera-says`);
    expect(store.match(bye)).toBe(dialog);
  });

  it('persistence: written on add and on change, deleted on remove, loaded by Call-ID elsewhere', async () => {
    const persistence = new MapPersistence();
    const here = new DialogStore({ persistence });
    const { invite, ok } = uacExchange();
    const dialog = Dialog.asUac({ request: invite, response: ok, remote: camera });
    here.add(dialog);
    dialog.request('INFO');
    await Promise.resolve();
    expect(persistence.records.size).toBe(1);
    // Another replica: nothing in its memory, the record in the shared store.
    const there = new DialogStore({ persistence });
    const [loaded] = await there.load(dialog.callId);
    expect(loaded?.toRecord()).toEqual(dialog.toRecord());
    expect(loaded?.localCSeq).toBe(21);
    there.remove(loaded!);
    await Promise.resolve();
    expect(persistence.records.size).toBe(0);
    expect(await there.load(dialog.callId)).toEqual([]);
  });

  it('a failing persistence is reported and the dialog goes on in memory', async () => {
    const failures: unknown[] = [];
    const store = new DialogStore({
      persistence: {
        save: async () => {
          throw new Error('store down');
        },
        delete: async () => undefined,
        load: async () => [],
      },
      onPersistError: (error) => failures.push(error),
    });
    const { invite, ok } = uacExchange();
    const dialog = Dialog.asUac({ request: invite, response: ok, remote: camera });
    store.add(dialog);
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures).toHaveLength(1);
    expect(store.find(dialog)).toBe(dialog);
  });
});

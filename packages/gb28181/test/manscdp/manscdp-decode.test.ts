import { CatalogChange, CatalogItem } from '@tessera/contracts';
import { describe, expect, it } from 'vitest';
import {
  decodeManscdp,
  type ManscdpMessage,
  ManscdpParseError,
  type ManscdpParseReason,
  parseManscdpXml,
  tryDecodeManscdp,
} from '../../src/manscdp';
import {
  DAHUA_ALARM,
  DAHUA_KEEPALIVE,
  DAHUA_NVR_CATALOG,
  HIKVISION_ADDRESS_CATALOG,
  WVP_ALARM_LOWERCASE_INFO,
  WVP_CATALOG,
  WVP_CATALOG_QUERY,
  WVP_MEDIA_STATUS,
  WVP_PTZ_CONTROL,
  WVP_RECORD_INFO,
  WIRE_BODIES,
  WVP_RECORD_INFO_QUERY,
} from './fixtures/wire-bodies';

const decode = (bytes: Buffer) => decodeManscdp(bytes).message;

describe('decodeManscdp on real bodies', () => {
  it('Dahua keepalive', () => {
    expect(decode(DAHUA_KEEPALIVE)).toEqual({
      kind: 'keepalive',
      sn: 4,
      deviceId: '34020000001320000001',
      status: 'OK',
      faultyDeviceIds: [],
    });
  });

  it('Dahua NVR catalog packet with GB2312 name', () => {
    const { message, charset } = decodeManscdp(DAHUA_NVR_CATALOG[3]!);
    expect(charset).toBe('gb18030');
    expect(message).toEqual({
      kind: 'catalog-response',
      sn: 4,
      deviceId: '34020000001180000001',
      sumNum: 4,
      listNum: 1,
      invalidItems: 0,
      result: null,
      items: [
        {
          id: '34020000001310000004',
          kind: 'channel',
          name: '1.64 海康摄像机',
          manufacturer: 'General',
          model: 'DS-2CD2725EFD-IS',
          owner: '0',
          civilCode: '340200',
          block: null,
          address: 'axy',
          parental: false,
          parentId: '34020000001180000001',
          businessGroupId: null,
          registerWay: 1,
          secrecy: 0,
          ipAddress: '192.168.1.64',
          port: 80,
          status: 'online',
          longitude: null,
          latitude: null,
          ptzType: 3,
        },
      ],
    });
  });

  it('Dahua NVR catalog packets: 大华 name, RTSP URL as IPAddress, OFF status', () => {
    const items = DAHUA_NVR_CATALOG.map(decode).flatMap((m) =>
      m.kind === 'catalog-response' ? m.items : [],
    );
    expect(items.map((i) => [i.name, i.ipAddress, i.status])).toEqual([
      ['大华1.107', '192.168.1.107', 'online'],
      ['1.65', 'rtsp://admin@192.168.1.65:554/Streaming/Channels/101', 'online'],
      ['1.66 海康摄像机', '192.168.1.66', 'offline'],
      ['1.64 海康摄像机', '192.168.1.64', 'online'],
    ]);
  });

  it('wvp catalog with Num=" 3 ", business group, virtual org and PTZType in Info', () => {
    const message = decode(WVP_CATALOG);
    if (message.kind !== 'catalog-response') throw new Error(message.kind);
    expect([message.sumNum, message.listNum]).toEqual([3, 3]);
    expect(message.items.map((i) => [i.id, i.kind, i.name])).toEqual([
      ['34020000002150000001', 'business-group', '公安分局'],
      ['34020000002160000001', 'virtual-org', '一号路口'],
      ['34020000001320000007', 'channel', '东门球机'],
    ]);
    expect(message.items[1]).toMatchObject({ businessGroupId: '34020000002150000001' });
    expect(message.items[2]).toMatchObject({
      ptzType: 1,
      longitude: 117.2272,
      latitude: 31.8206,
      address: '东门',
    });
  });

  it('Hikvision Address with unescaped < and &', () => {
    const message = decode(HIKVISION_ADDRESS_CATALOG);
    if (message.kind !== 'catalog-response') throw new Error(message.kind);
    expect(message.items[0]).toMatchObject({
      address: 'B1<F3>机房&监控室<东>',
      name: 'Camera 01',
      status: 'online',
    });
  });

  it('Dahua alarm with GB2312 description', () => {
    expect(decode(DAHUA_ALARM)).toEqual({
      kind: 'alarm-notify',
      sn: 9,
      deviceId: '34020000001320000001',
      priority: 1,
      method: '5',
      time: '2023-08-09T07:38:35',
      description: '视频动检',
      longitude: null,
      latitude: null,
      alarmType: 2,
      eventType: 1,
    });
  });

  it('wvp alarm with lower-case <info>', () => {
    expect(decode(WVP_ALARM_LOWERCASE_INFO)).toMatchObject({
      kind: 'alarm-notify',
      alarmType: 1,
      eventType: null,
      longitude: 117.1,
      latitude: 31.5,
    });
  });

  it('wvp RecordInfo with <Secrecy> 0 </Secrecy>', () => {
    const message = decode(WVP_RECORD_INFO);
    expect(message).toMatchObject({
      kind: 'record-info-response',
      sn: 55,
      name: 'Camera 01',
      sumNum: 2,
      listNum: 2,
    });
    if (message.kind !== 'record-info-response') throw new Error(message.kind);
    expect(message.items).toEqual([
      {
        deviceId: '34020000001320000001',
        name: 'Camera 01',
        filePath: '/rec/1.mp4',
        address: 'axy',
        startTime: '2024-01-01T00:00:00',
        endTime: '2024-01-01T01:00:00',
        secrecy: 0,
        type: 'time',
        recorderId: null,
        fileSize: 104857600,
      },
      {
        deviceId: '34020000001320000001',
        name: 'Camera 01',
        filePath: null,
        address: null,
        startTime: '2024-01-01T01:00:00',
        endTime: '2024-01-01T02:00:00',
        secrecy: 0,
        type: 'all',
        recorderId: null,
        fileSize: null,
      },
    ]);
  });

  it.each<[string, Buffer, Partial<ManscdpMessage>]>([
    ['Catalog query', WVP_CATALOG_QUERY, { kind: 'catalog-query', sn: 123456, startTime: null }],
    [
      'RecordInfo query',
      WVP_RECORD_INFO_QUERY,
      { kind: 'record-info-query', sn: 31, startTime: '2024-01-01T00:00:00', secrecy: 0, type: 'all' },
    ],
    [
      'PTZ control',
      WVP_PTZ_CONTROL,
      { kind: 'device-control', ptzCmd: 'A50F010150500056', controlPriority: 5 },
    ],
    ['MediaStatus 121', WVP_MEDIA_STATUS, { kind: 'media-status-notify', notifyType: '121' }],
  ])('%s', (_name, bytes, expected) => {
    expect(decode(bytes)).toMatchObject(expected);
  });
});

describe('contract conformance', () => {
  it('every decoded catalog item and change satisfies the contracts schemas', () => {
    const notify = parseManscdpXml(
      '<Notify><CmdType>Catalog</CmdType><SN>1</SN><DeviceID>1</DeviceID><SumNum>2</SumNum><DeviceList Num="2">' +
        '<Item><DeviceID>34020000001320000001</DeviceID><Event>VLOST</Event></Item>' +
        '<Item><DeviceID>34020000001320000002</DeviceID><Event>UPDATE</Event><Port>x</Port><Longitude>999</Longitude></Item>' +
        '</DeviceList></Notify>',
    );
    const messages = [...WIRE_BODIES.map((b) => decode(b.bytes)), notify];
    const items = messages.flatMap((m) => (m.kind === 'catalog-response' ? m.items : []));
    const changes = messages.flatMap((m) => (m.kind === 'catalog-notify' ? m.changes : []));
    expect(items).toHaveLength(8);
    expect(changes).toHaveLength(2);
    for (const item of items) expect(CatalogItem.parse(item)).toEqual(item);
    for (const change of changes) expect(CatalogChange.parse(change)).toEqual(change);
    expect(changes[1]!.item).toMatchObject({ port: null, longitude: null });
  });
});

describe('parseManscdpXml tolerance', () => {
  const body = (root: string, cmdType: string, rest = '') =>
    `<${root}><CmdType>${cmdType}</CmdType><SN>1</SN><DeviceID>34020000001320000001</DeviceID>${rest}</${root}>`;

  it.each([
    ['root and CmdType in any case', body('notify', 'KEEPALIVE'), 'keepalive'],
    ['Query/DeviceInfo', body('Query', 'DeviceInfo'), 'device-info-query'],
    ['Query/DeviceStatus', body('Query', 'devicestatus'), 'device-status-query'],
    ['Response/Alarm', body('Response', 'Alarm', '<Result>OK</Result>'), 'alarm-response'],
    [
      'Response/DeviceControl',
      body('Response', 'DeviceControl', '<Result>ERROR</Result>'),
      'device-control-response',
    ],
    ['Notify/Catalog', body('Notify', 'Catalog', '<SumNum>0</SumNum>'), 'catalog-notify'],
    ['an unknown CmdType', body('Notify', 'MobilePosition', '<Speed>3</Speed>'), 'unsupported'],
  ])('%s', (_name, xml, kind) => {
    expect(parseManscdpXml(xml).kind).toBe(kind);
  });

  it('keeps unknown messages whole, without requiring SN or DeviceID', () => {
    const message = parseManscdpXml(
      '<Notify><CmdType>Broadcast</CmdType><SN>5</SN><SourceID>1</SourceID></Notify>',
    );
    expect(message).toMatchObject({
      kind: 'unsupported',
      root: 'Notify',
      cmdType: 'Broadcast',
      sn: 5,
      deviceId: null,
    });
  });

  it('reads keepalive fault lists, DeviceInfo and DeviceStatus', () => {
    expect(
      parseManscdpXml(
        body(
          'Notify',
          'Keepalive',
          '<Status>OK</Status><Info><DeviceID>a</DeviceID><DeviceID>b</DeviceID></Info>',
        ),
      ),
    ).toMatchObject({ faultyDeviceIds: ['a', 'b'] });
    expect(
      parseManscdpXml(
        body(
          'Response',
          'DeviceInfo',
          '<DeviceName>NVR</DeviceName><Result>OK</Result><Channel> 16 </Channel><MaxCamera/>',
        ),
      ),
    ).toMatchObject({ deviceName: 'NVR', channel: 16, maxCamera: null, result: 'OK' });
    expect(
      parseManscdpXml(
        body(
          'Response',
          'DeviceStatus',
          '<Result>OK</Result><Online>ONLINE</Online><Status>OK</Status><Encode>ON</Encode><Record>OFF</Record>' +
            '<Alarmstatus Num="1"><Item><DeviceID>x</DeviceID><DutyStatus>ONDUTY</DutyStatus></Item></Alarmstatus>',
        ),
      ),
    ).toMatchObject({
      online: true,
      statusOk: true,
      encode: true,
      record: false,
      alarms: [{ deviceId: 'x', dutyStatus: 'ONDUTY' }],
    });
  });

  it('reads Catalog NOTIFY events', () => {
    const message = parseManscdpXml(
      body(
        'Notify',
        'Catalog',
        '<SumNum>3</SumNum><DeviceList Num="3">' +
          '<Item><DeviceID>34020000001320000001</DeviceID><Event>off</Event></Item>' +
          '<Item><DeviceID>34020000001320000002</DeviceID><Name>新</Name><Status>ON</Status><Event>ADD</Event></Item>' +
          '<Item><DeviceID>34020000001320000003</DeviceID><Event>EXPLODE</Event></Item>' +
          '</DeviceList>',
      ),
    );
    if (message.kind !== 'catalog-notify') throw new Error(message.kind);
    expect(message.invalidItems).toBe(1);
    expect(message.changes[0]).toEqual({ id: '34020000001320000001', event: 'OFF', item: null });
    expect(message.changes[1]).toMatchObject({
      event: 'ADD',
      item: { name: '新', status: 'online', kind: 'channel' },
    });
  });

  it('drops catalog items without DeviceID and counts them', () => {
    const message = parseManscdpXml(
      body(
        'Response',
        'Catalog',
        '<SumNum>2</SumNum><DeviceList Num="2"><Item><Name>x</Name></Item><Item><DeviceID>11</DeviceID></Item></DeviceList>',
      ),
    );
    expect(message).toMatchObject({ invalidItems: 1, items: [{ id: '11', kind: 'civil' }] });
  });

  it.each<[string, string, ManscdpParseReason]>([
    ['unknown root', '<Request><CmdType>Catalog</CmdType></Request>', 'unknown-root'],
    ['no CmdType', '<Query><SN>1</SN></Query>', 'missing-cmd-type'],
    ['no SN', '<Query><CmdType>Catalog</CmdType><DeviceID>1</DeviceID></Query>', 'missing-sn'],
    [
      'SN not a number',
      '<Query><CmdType>Catalog</CmdType><SN>x1</SN><DeviceID>1</DeviceID></Query>',
      'invalid-sn',
    ],
    ['no DeviceID', '<Query><CmdType>Catalog</CmdType><SN>1</SN></Query>', 'missing-device-id'],
  ])('rejects %s', (_name, xml, reason) => {
    const error = (() => {
      try {
        parseManscdpXml(xml);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ManscdpParseError);
    expect((error as ManscdpParseError).reason).toBe(reason);
  });

  it('refuses oversized bodies before decoding them', () => {
    const result = tryDecodeManscdp(Buffer.alloc(2048, 0x20), { maxBytes: 1024 });
    expect(result.ok ? 'ok' : result.error.reason).toBe('too-large');
  });

  it('honours a per-device charset override', () => {
    const { message, charset } = decodeManscdp(DAHUA_NVR_CATALOG[3]!, { charset: 'utf-8' });
    expect(charset).toBe('utf-8');
    expect(message.kind === 'catalog-response' && message.items[0]!.name).not.toBe('1.64 海康摄像机');
  });
});

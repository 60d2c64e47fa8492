import { leaves, optionalText } from './fields';
import type { MessageCodec } from './message-codec';
import type { ManscdpHeader } from './message-header';
import { findChild, findChildren, type XmlElement, xmlElement } from './xml-element';

export interface DeviceStatusQuery extends ManscdpHeader {
  kind: 'device-status-query';
}

export interface AlarmInputStatus {
  deviceId: string;
  /** ONDUTY / OFFDUTY / ALARM as sent. */
  dutyStatus: string | null;
}

/**
 * Device health (notes §1.5). Online: ONLINE/OFFLINE; Status: OK/ERROR; Encode/Record: ON/OFF. Flags are
 * null when absent or unrecognised rather than guessed.
 */
export interface DeviceStatusResponse extends ManscdpHeader {
  kind: 'device-status-response';
  result: string | null;
  online: boolean | null;
  statusOk: boolean | null;
  reason: string | null;
  encode: boolean | null;
  record: boolean | null;
  deviceTime: string | null;
  alarms: AlarmInputStatus[];
}

export const deviceStatusQueryCodec: MessageCodec<DeviceStatusQuery> = {
  kind: 'device-status-query',
  root: 'Query',
  cmdType: 'DeviceStatus',
  read: (_element, header) => ({ kind: 'device-status-query', ...header }),
  write: () => [],
};

export const deviceStatusResponseCodec: MessageCodec<DeviceStatusResponse> = {
  kind: 'device-status-response',
  root: 'Response',
  cmdType: 'DeviceStatus',
  read(element, header) {
    const alarmList = findChild(element, 'Alarmstatus');
    return {
      kind: 'device-status-response',
      ...header,
      result: optionalText(element, 'Result'),
      online: flag(optionalText(element, 'Online'), ['ONLINE', 'ON', 'OK', '1'], ['OFFLINE', 'OFF', '0']),
      statusOk: flag(optionalText(element, 'Status'), ['OK', 'ON'], ['ERROR', 'OFF']),
      reason: optionalText(element, 'Reason'),
      encode: flag(optionalText(element, 'Encode'), ['ON'], ['OFF']),
      record: flag(optionalText(element, 'Record'), ['ON'], ['OFF']),
      deviceTime: optionalText(element, 'DeviceTime'),
      alarms: alarmList ? findChildren(alarmList, 'Item').flatMap(readAlarmInput) : [],
    };
  },
  write(message) {
    const onOff = (value: boolean | null) => (value === null ? null : value ? 'ON' : 'OFF');
    const fields = leaves([
      ['Result', message.result],
      ['Online', message.online === null ? null : message.online ? 'ONLINE' : 'OFFLINE'],
      ['Status', message.statusOk === null ? null : message.statusOk ? 'OK' : 'ERROR'],
      ['Reason', message.reason],
      ['Encode', onOff(message.encode)],
      ['Record', onOff(message.record)],
      ['DeviceTime', message.deviceTime],
    ]);
    if (message.alarms.length === 0) return fields;
    const items = message.alarms.map((a) =>
      xmlElement(
        'Item',
        leaves([
          ['DeviceID', a.deviceId],
          ['DutyStatus', a.dutyStatus],
        ]),
      ),
    );
    return [...fields, xmlElement('Alarmstatus', items, { Num: String(items.length) })];
  },
};

function flag(value: string | null, yes: readonly string[], no: readonly string[]): boolean | null {
  const upper = value?.toUpperCase() ?? '';
  return yes.includes(upper) ? true : no.includes(upper) ? false : null;
}

function readAlarmInput(item: XmlElement): AlarmInputStatus[] {
  const deviceId = optionalText(item, 'DeviceID');
  return deviceId === null ? [] : [{ deviceId, dutyStatus: optionalText(item, 'DutyStatus') }];
}

import { leaves, optionalFloat, optionalInt, optionalText } from './fields';
import type { MessageCodec } from './message-codec';
import type { ManscdpHeader } from './message-header';
import { findChild, xmlElement } from './xml-element';

/**
 * Device → platform alarm (notes §1.5). The platform answers the MESSAGE with an empty 200 and then sends an
 * AlarmResponse of its own. Times are local ISO-8601 without a zone, kept as sent.
 */
export interface AlarmNotify extends ManscdpHeader {
  kind: 'alarm-notify';
  /** 1 (highest) … 4. */
  priority: number | null;
  /** 1 phone, 2 device, 3 SMS, 4 GPS, 5 video, 6 device fault, 7 other; kept as sent. */
  method: string | null;
  time: string | null;
  description: string | null;
  longitude: number | null;
  latitude: number | null;
  /** Info/AlarmType. */
  alarmType: number | null;
  /** Info/AlarmTypeParam/EventType. */
  eventType: number | null;
}

export interface AlarmResponse extends ManscdpHeader {
  kind: 'alarm-response';
  result: string | null;
}

export const alarmNotifyCodec: MessageCodec<AlarmNotify> = {
  kind: 'alarm-notify',
  root: 'Notify',
  cmdType: 'Alarm',
  read(element, header) {
    const info = findChild(element, 'Info');
    const param = info ? findChild(info, 'AlarmTypeParam') : undefined;
    return {
      kind: 'alarm-notify',
      ...header,
      priority: optionalInt(element, 'AlarmPriority'),
      method: optionalText(element, 'AlarmMethod'),
      time: optionalText(element, 'AlarmTime'),
      description: optionalText(element, 'AlarmDescription'),
      longitude: optionalFloat(element, 'Longitude'),
      latitude: optionalFloat(element, 'Latitude'),
      alarmType: info ? optionalInt(info, 'AlarmType') : null,
      eventType: param ? optionalInt(param, 'EventType') : null,
    };
  },
  write(message) {
    const param = leaves([['EventType', message.eventType]]);
    const info = [
      ...leaves([['AlarmType', message.alarmType]]),
      ...(param.length > 0 ? [xmlElement('AlarmTypeParam', param)] : []),
    ];
    return [
      ...leaves([
        ['AlarmPriority', message.priority],
        ['AlarmMethod', message.method],
        ['AlarmTime', message.time],
        ['AlarmDescription', message.description],
        ['Longitude', message.longitude],
        ['Latitude', message.latitude],
      ]),
      ...(info.length > 0 ? [xmlElement('Info', info)] : []),
    ];
  },
};

export const alarmResponseCodec: MessageCodec<AlarmResponse> = {
  kind: 'alarm-response',
  root: 'Response',
  cmdType: 'Alarm',
  read: (element, header) => ({ kind: 'alarm-response', ...header, result: optionalText(element, 'Result') }),
  write: (message) => leaves([['Result', message.result]]),
};

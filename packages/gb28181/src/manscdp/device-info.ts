import { leaves, optionalInt, optionalText } from './fields';
import type { MessageCodec } from './message-codec';
import type { ManscdpHeader } from './message-header';

export interface DeviceInfoQuery extends ManscdpHeader {
  kind: 'device-info-query';
}

/** Device identity (notes §1.5): name, vendor, model, firmware, channel count. */
export interface DeviceInfoResponse extends ManscdpHeader {
  kind: 'device-info-response';
  deviceName: string | null;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  channel: number | null;
  maxCamera: number | null;
  maxAlarm: number | null;
  result: string | null;
}

export const deviceInfoQueryCodec: MessageCodec<DeviceInfoQuery> = {
  kind: 'device-info-query',
  root: 'Query',
  cmdType: 'DeviceInfo',
  read: (_element, header) => ({ kind: 'device-info-query', ...header }),
  write: () => [],
};

export const deviceInfoResponseCodec: MessageCodec<DeviceInfoResponse> = {
  kind: 'device-info-response',
  root: 'Response',
  cmdType: 'DeviceInfo',
  read: (element, header) => ({
    kind: 'device-info-response',
    ...header,
    deviceName: optionalText(element, 'DeviceName'),
    manufacturer: optionalText(element, 'Manufacturer'),
    model: optionalText(element, 'Model'),
    firmware: optionalText(element, 'Firmware'),
    channel: optionalInt(element, 'Channel'),
    maxCamera: optionalInt(element, 'MaxCamera'),
    maxAlarm: optionalInt(element, 'MaxAlarm'),
    result: optionalText(element, 'Result'),
  }),
  write: (message) =>
    leaves([
      ['DeviceName', message.deviceName],
      ['Result', message.result],
      ['Manufacturer', message.manufacturer],
      ['Model', message.model],
      ['Firmware', message.firmware],
      ['Channel', message.channel],
      ['MaxCamera', message.maxCamera],
      ['MaxAlarm', message.maxAlarm],
    ]),
};

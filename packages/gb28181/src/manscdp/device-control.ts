import { leaves, optionalInt, optionalText } from './fields';
import type { MessageCodec } from './message-codec';
import type { ManscdpHeader } from './message-header';
import { findChild, xmlElement } from './xml-element';

/**
 * Platform → device control (notes §1.5). PTZCmd stays the 16-hex-digit string as sent (decodePtz reads it)
 * so a cascade can pass an upper platform's command down unchanged. The other commands are kept as sent.
 */
export interface DeviceControl extends ManscdpHeader {
  kind: 'device-control';
  ptzCmd: string | null;
  /** Info/ControlPriority (1 highest … 5). */
  controlPriority: number | null;
  /** SetGuard / ResetGuard. */
  guardCmd: string | null;
  /** Record / StopRecord. */
  recordCmd: string | null;
  /** Boot. */
  teleBoot: string | null;
  /** ResetAlarm. */
  alarmCmd: string | null;
  /** Send — the element is spelled `IFameCmd` in the standard; `IFrameCmd` is accepted too. */
  iFrameCmd: string | null;
}

export interface DeviceControlResponse extends ManscdpHeader {
  kind: 'device-control-response';
  /** OK / ERROR as sent. */
  result: string | null;
}

export const deviceControlCodec: MessageCodec<DeviceControl> = {
  kind: 'device-control',
  root: 'Control',
  cmdType: 'DeviceControl',
  read(element, header) {
    const info = findChild(element, 'Info');
    return {
      kind: 'device-control',
      ...header,
      ptzCmd: optionalText(element, 'PTZCmd'),
      controlPriority: info ? optionalInt(info, 'ControlPriority') : null,
      guardCmd: optionalText(element, 'GuardCmd'),
      recordCmd: optionalText(element, 'RecordCmd'),
      teleBoot: optionalText(element, 'TeleBoot'),
      alarmCmd: optionalText(element, 'AlarmCmd'),
      iFrameCmd: optionalText(element, 'IFameCmd') ?? optionalText(element, 'IFrameCmd'),
    };
  },
  write(message) {
    const info = leaves([['ControlPriority', message.controlPriority]]);
    return [
      ...leaves([
        ['PTZCmd', message.ptzCmd],
        ['GuardCmd', message.guardCmd],
        ['RecordCmd', message.recordCmd],
        ['TeleBoot', message.teleBoot],
        ['AlarmCmd', message.alarmCmd],
        ['IFameCmd', message.iFrameCmd],
      ]),
      ...(info.length > 0 ? [xmlElement('Info', info)] : []),
    ];
  },
};

export const deviceControlResponseCodec: MessageCodec<DeviceControlResponse> = {
  kind: 'device-control-response',
  root: 'Response',
  cmdType: 'DeviceControl',
  read: (element, header) => ({
    kind: 'device-control-response',
    ...header,
    result: optionalText(element, 'Result'),
  }),
  write: (message) => leaves([['Result', message.result]]),
};

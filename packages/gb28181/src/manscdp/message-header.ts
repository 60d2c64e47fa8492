import { ManscdpParseError } from './errors';
import { optionalText } from './fields';
import { type XmlElement, xmlElement, xmlLeaf } from './xml-element';

/** The four MANSCDP root elements (GB/T 28181 Annex A). */
export type ManscdpRoot = 'Query' | 'Control' | 'Notify' | 'Response';

const ROOTS: Record<string, ManscdpRoot> = {
  query: 'Query',
  control: 'Control',
  notify: 'Notify',
  response: 'Response',
};

/** Correlation fields every message carries: SN + DeviceID (+ CmdType, which selects the message kind). */
export interface ManscdpHeader {
  sn: number;
  deviceId: string;
}

export function readRoot(element: XmlElement): ManscdpRoot {
  const root = ROOTS[element.name.toLowerCase()];
  if (!root) throw new ManscdpParseError('unknown-root', `<${element.name.slice(0, 40)}>`);
  return root;
}

export function readCmdType(element: XmlElement): string {
  const cmdType = optionalText(element, 'CmdType');
  if (cmdType === null) throw new ManscdpParseError('missing-cmd-type', `<${element.name}> without CmdType`);
  return cmdType;
}

/** SN as a number, or null when missing; a non-numeric SN is an error. */
export function readSn(element: XmlElement): number | null {
  const text = optionalText(element, 'SN');
  if (text === null) return null;
  if (!/^\d{1,15}$/.test(text)) throw new ManscdpParseError('invalid-sn', JSON.stringify(text.slice(0, 40)));
  return Number(text);
}

export function readHeader(element: XmlElement, cmdType: string): ManscdpHeader {
  const sn = readSn(element);
  if (sn === null) throw new ManscdpParseError('missing-sn', cmdType);
  const deviceId = optionalText(element, 'DeviceID');
  if (deviceId === null) throw new ManscdpParseError('missing-device-id', cmdType);
  return { sn, deviceId };
}

/** Root element with CmdType, SN, DeviceID first, then the body. */
export function writeEnvelope(
  root: ManscdpRoot,
  cmdType: string,
  header: ManscdpHeader,
  body: readonly XmlElement[],
): XmlElement {
  return xmlElement(root, [
    xmlLeaf('CmdType', cmdType),
    xmlLeaf('SN', String(header.sn)),
    xmlLeaf('DeviceID', header.deviceId),
    ...body,
  ]);
}

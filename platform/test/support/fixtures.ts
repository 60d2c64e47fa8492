import type { CatalogItem } from '@tessera/contracts';

/** 20-digit IDs: civil code (8) + industry 00 + type + network 0 + serial. */
export const deviceIdIn = (civil8: string, serial: number, type = '118'): string =>
  `${civil8}00${type}0${String(serial).padStart(6, '0')}`;

export const channelIdIn = (civil8: string, serial: number): string => deviceIdIn(civil8, serial, '131');

export function cameraItem(id: string, civilCode: string, overrides: Partial<CatalogItem> = {}): CatalogItem {
  return {
    id,
    kind: 'channel',
    name: `camera ${id.slice(-4)}`,
    manufacturer: 'Hikvision',
    model: 'DS-2CD',
    owner: null,
    civilCode,
    block: null,
    address: `${civilCode} street`,
    parental: false,
    parentId: null,
    businessGroupId: null,
    registerWay: 1,
    secrecy: 0,
    ipAddress: null,
    port: null,
    status: 'online',
    longitude: 112.98,
    latitude: 28.2,
    ptzType: 3,
    ...overrides,
  };
}

export const now = (): string => new Date().toISOString();

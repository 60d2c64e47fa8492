import { describe, expect, it } from 'vitest';
import { catalogNodeKind, catalogStatus } from '../../src/manscdp';

describe('catalogNodeKind', () => {
  it.each([
    ['34', 'civil'],
    ['3402', 'civil'],
    ['340200', 'civil'],
    ['34020001', 'civil'],
    ['340200001', 'civil'],
    ['34020000002150000001', 'business-group'],
    ['34020000002160000001', 'virtual-org'],
    ['34020000001110000001', 'device'],
    ['34020000001180000001', 'device'],
    ['34020000001300000001', 'device'],
    ['34020000002000000001', 'device'],
    ['34020000002110000001', 'device'],
    ['34020000001310000001', 'channel'],
    ['34020000001320000001', 'channel'],
    ['34020000001340000001', 'channel'],
    ['34020000007317077037', 'channel'],
    ['34020000003000000001', 'channel'],
    ['340', 'channel'],
    ['3402000000', 'channel'],
    ['camera-1', 'channel'],
  ])('%s is %s', (id, kind) => {
    expect(catalogNodeKind(id)).toBe(kind);
  });
});

describe('catalogStatus', () => {
  it.each([
    ['ON', 'online'],
    ['On', 'online'],
    ['Online', 'online'],
    ['ONLINE', 'online'],
    ['OK', 'online'],
    ['1', 'online'],
    ['OFF', 'offline'],
    ['Offline', 'offline'],
    ['VLOST', 'offline'],
    ['0', 'offline'],
    [null, 'online'],
  ])('%s → %s', (value, status) => {
    expect(catalogStatus(value)).toBe(status);
  });
});

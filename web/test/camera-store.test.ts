import { describe, expect, it } from 'vitest';
import { CameraStore, type HealthChange } from '../src/state/camera-store';
import { channel, channelEvent, channelId, device, deviceEvent, manualStore } from './support';

const NVR = '43010200001180000001';
const IPC = '43010200001320000002';
const LOST = '43010200001320000003';
const ch = (n: number) => `4301020000131000000${n}`;

function city() {
  return manualStore(
    [
      channel(ch(1), NVR, 'online'),
      channel(ch(2), NVR, 'offline'),
      channel(IPC, IPC, 'online'),
      channel(LOST, LOST, 'offline'),
    ],
    [device(NVR, 'online'), device(IPC, 'online'), device(LOST, 'offline', '2025-06-01T08:00:00.000Z')],
  );
}

describe('CameraStore', () => {
  it('derives health from device registration and channel report', () => {
    const store = city();
    expect([0, 1, 2, 3].map((i) => store.healthAt(i))).toEqual(['online', 'no-video', 'online', 'offline']);
    expect(store.downSince[3]).toBe(Date.parse('2025-06-01T08:00:00.000Z'));
    expect(store.downSince[1]).toBeNaN();
  });

  it('a channel without a known device follows its own status', () => {
    const store = manualStore([channel(ch(1), NVR, 'online'), channel(ch(2), NVR, 'offline')], []);
    expect([store.healthAt(0), store.healthAt(1)]).toEqual(['online', 'offline']);
  });

  it('applies queued events in one flush and reports what changed with the event times', () => {
    const store = city();
    const changes: HealthChange[] = [];
    store.subscribe((c) => changes.push(c));
    store.push(channelEvent(ch(1), NVR, 'offline', '2025-06-01T09:00:00.000Z'));
    store.push(channelEvent(IPC, IPC, 'online', '2025-06-01T09:00:01.000Z'));
    expect(changes).toHaveLength(0);
    store.flush();
    expect(changes).toEqual([{ indexes: [0], eventTimes: [Date.parse('2025-06-01T09:00:00.000Z')] }]);
    expect(store.healthAt(0)).toBe('no-video');
    expect(store.downSince[0]).toBe(Date.parse('2025-06-01T09:00:00.000Z'));
    expect(store.version).toBe(1);
  });

  it('a device going offline takes all its channels down; back online restores what they report', () => {
    const store = city();
    store.push(deviceEvent(NVR, 'offline', '2025-06-01T10:00:00.000Z'));
    expect(store.flush().indexes).toEqual([0, 1]);
    expect([store.healthAt(0), store.healthAt(1)]).toEqual(['offline', 'offline']);
    expect(store.downSince[0]).toBe(Date.parse('2025-06-01T10:00:00.000Z'));
    // Channel 2 was already down (no video) since a time nobody knows: the device outage does not restart it.
    expect(store.downSince[1]).toBeNaN();
    store.push(deviceEvent(NVR, 'online', '2025-06-01T10:05:00.000Z'));
    store.flush();
    expect([store.healthAt(0), store.healthAt(1)]).toEqual(['online', 'no-video']);
    expect(store.lastSeenAt(0)).toBe(Date.parse('2025-06-01T10:05:00.000Z'));
    expect(store.downSince[0]).toBeNaN();
  });

  it('a channel reported online brings its offline device back (a missed device event)', () => {
    const store = city();
    store.push(channelEvent(LOST, LOST, 'online', '2025-06-01T11:00:00.000Z'));
    store.flush();
    expect(store.healthAt(3)).toBe('online');
    expect(store.downSince[3]).toBeNaN();
  });

  it('reports a camera once per flush even when it flips twice', () => {
    const store = city();
    store.push(channelEvent(ch(1), NVR, 'offline', '2025-06-01T09:00:00.000Z'));
    store.push(deviceEvent(NVR, 'offline', '2025-06-01T09:00:01.000Z'));
    const change = store.flush();
    expect(change.indexes).toEqual([0, 1]);
  });

  it('counts events about cameras it does not hold', () => {
    const store = city();
    store.push(channelEvent('99999999999999999999', NVR, 'online', 't'));
    store.push(deviceEvent('88888888888888888888', 'online', 't'));
    expect(store.flush().indexes).toEqual([]);
    expect(store.unknownEvents).toBe(2);
    expect(store.version).toBe(0);
  });

  it('flushes on its scheduler', () => {
    const scheduled: (() => void)[] = [];
    const store = new CameraStore(
      { channels: [channel(IPC, IPC, 'online')], devices: [device(IPC, 'online')] },
      {
        schedule: (flush) => {
          scheduled.push(flush);
          return () => undefined;
        },
      },
    );
    store.push(channelEvent(IPC, IPC, 'offline', '2025-06-01T09:00:00.000Z'));
    store.push(channelEvent(IPC, IPC, 'online', '2025-06-01T09:00:01.000Z'));
    expect(scheduled).toHaveLength(1);
    scheduled[0]!();
    expect(store.healthAt(0)).toBe('online');
  });

  it('reconciles a fresh snapshot in place, or says the cameras changed', () => {
    const store = city();
    const changes: HealthChange[] = [];
    store.subscribe((c) => changes.push(c));
    const fresh = {
      channels: [
        channel(ch(1), NVR, 'offline'),
        channel(ch(2), NVR, 'offline'),
        channel(IPC, IPC, 'online'),
        channel(LOST, LOST, 'online'),
      ],
      devices: [device(NVR, 'offline'), device(IPC, 'online'), device(LOST, 'online')],
    };
    expect(store.reconcile(fresh)).toBe(true);
    expect([0, 1, 2, 3].map((i) => store.healthAt(i))).toEqual(['offline', 'offline', 'online', 'online']);
    expect(changes[0]!.indexes).toEqual([0, 1, 3]);
    expect(store.reconcile({ channels: fresh.channels.slice(1), devices: fresh.devices })).toBe(false);
    expect(store.indexOf(channelId(IPC))).toBe(2);
  });
});

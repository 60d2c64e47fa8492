/**
 * What the console shows for a camera.
 * - `online`: the device is registered and the channel reports video.
 * - `offline`: the device is not registered (no keepalives) — nothing can reach the camera.
 * - `no-video`: the device is online but the channel reports no signal (e.g. an NVR input lost its camera).
 * - `degraded`: online, but the media path reports problems (set by media health, later issues).
 * - `unknown`: not yet known.
 */
export type Health = 'unknown' | 'online' | 'offline' | 'no-video' | 'degraded';

/** Compact numeric codes: the store keeps one byte per camera and the map styles on the number. */
export const HEALTH_CODE = {
  unknown: 0,
  online: 1,
  offline: 2,
  'no-video': 3,
  degraded: 4,
} as const satisfies Record<Health, number>;
export type HealthCode = (typeof HEALTH_CODE)[Health];

export const HEALTH_BY_CODE: readonly Health[] = ['unknown', 'online', 'offline', 'no-video', 'degraded'];

export function healthOfCode(code: number): Health {
  return HEALTH_BY_CODE[code] ?? 'unknown';
}

/** Colours shared by the map, the legend and the badges. */
export const HEALTH_COLOR: Record<Health, string> = {
  online: '#22c55e',
  offline: '#ef4444',
  'no-video': '#f97316',
  degraded: '#eab308',
  unknown: '#94a3b8',
};

/** Is the camera an outage (listed in 告警与故障)? */
export function isOutage(health: Health): boolean {
  return health === 'offline' || health === 'no-video';
}

/**
 * Health from the device's registration and the channel's own report.
 * @param deviceOnline undefined when the device is not in the caller's device list (e.g. behind a lower platform)
 * @param channelReportsOnline the channel's last reported status
 */
export function deriveHealth(deviceOnline: boolean | undefined, channelReportsOnline: boolean): Health {
  if (deviceOnline === false) return 'offline';
  if (deviceOnline === undefined) return channelReportsOnline ? 'online' : 'offline';
  return channelReportsOnline ? 'online' : 'no-video';
}

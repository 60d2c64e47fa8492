import { useNow } from '../ui/useNow';

const pad = (n: number) => String(n).padStart(2, '0');

/** "2025-11-24 09:41:07", local time, as a camera's on-screen display writes it. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Each tile's clock ticks on its own, so the second hand never re-renders the wall. */
export function TileClock() {
  const now = useNow(1000);
  return <time className="tile-clock">{formatClock(now)}</time>;
}

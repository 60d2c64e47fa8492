export interface Distribution {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

export interface FrameStats extends Distribution {
  /** Frames longer than 50 ms (a visible stutter). */
  over50: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const round = (n: number) => Math.round(n * 10) / 10;

export function distribution(values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    max: round(sorted[sorted.length - 1] ?? Number.NaN),
  };
}

export function frameStats(deltas: number[]): FrameStats {
  return { ...distribution(deltas), over50: deltas.filter((d) => d > 50).length };
}

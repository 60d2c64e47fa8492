import { useEffect, useMemo, useState } from 'react';
import type { CameraStore } from './camera-store';

/**
 * Re-renders when the store's health changes, at most once per `intervalMs`: a panel over 100,000 cameras
 * must not render on each of 1,000 changes a second.
 */
export function useStoreVersion(store: CameraStore, intervalMs = 1000): number {
  const [version, setVersion] = useState(store.version);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = 0;
    const update = () => {
      timer = null;
      last = Date.now();
      setVersion(store.version);
    };
    const unsubscribe = store.subscribe(() => {
      if (timer) return;
      timer = setTimeout(update, Math.max(0, last + intervalMs - Date.now()));
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [store, intervalMs]);
  return version;
}

/** A value computed from the store, recomputed at most once per `intervalMs` when the health changed. */
export function useStoreDerived<T>(
  store: CameraStore,
  derive: (store: CameraStore) => T,
  intervalMs = 1000,
): T {
  const version = useStoreVersion(store, intervalMs);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the store's change counter.
  return useMemo(() => derive(store), [store, derive, version]);
}

import { type ReactNode, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ApiClient } from '../api/client';
import type { Result } from '../api/errors';
import { type LiveConnectionState, LiveEventSubscription } from '../api/events';
import type { CivilAreaNode, CurrentUser, LiveEvent } from '../api/types';
import { loadToken } from '../auth/session';
import { AreaDirectory, isCityWide, loadDistrictNodes } from '../state/areas';
import { type CameraSnapshot, CameraStore } from '../state/camera-store';
import { StreamEndings } from '../state/stream-endings';
import { type ConsoleData, ConsoleDataContext, type LoadState } from './console-data';

async function fetchSnapshot(client: ApiClient): Promise<Result<CameraSnapshot>> {
  const [channels, devices] = await Promise.all([client.channels(), client.devices()]);
  if (!channels.ok) return channels;
  if (!devices.ok) return devices;
  return { ok: true, value: { channels: channels.value, devices: devices.value } };
}

/**
 * Loads the inventory once after login and keeps it live: the SSE stream is opened first and its events are
 * held until the snapshot is in, so nothing between the two is lost; after a gap in the stream the snapshot
 * is fetched again and reconciled in place (the map is not rebuilt unless the set of cameras changed).
 */
export function ConsoleDataProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  const [load, setLoad] = useState<LoadState>({ kind: 'loading' });
  const [live, setLive] = useState<LiveConnectionState>({ kind: 'connecting' });
  const [me, setMe] = useState<CurrentUser | null>(null);
  const [topAreas, setTopAreas] = useState<CivilAreaNode[] | null>(null);
  const [areasVersion, setAreasVersion] = useState(0);
  const [attempt, setAttempt] = useState(0);
  const areas = useMemo(() => new AreaDirectory(), []);
  const streamEndings = useMemo(() => new StreamEndings(), []);
  const storeRef = useRef<CameraStore | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` reloads on retry.
  useEffect(() => {
    let cancelled = false;
    let pending: LiveEvent[] = [];
    setLoad({ kind: 'loading' });

    const resync = async () => {
      const snapshot = await fetchSnapshot(client);
      const store = storeRef.current;
      if (cancelled || !snapshot.ok || !store) return;
      if (!store.reconcile(snapshot.value)) {
        store.close();
        storeRef.current = new CameraStore(snapshot.value);
        setLoad({ kind: 'ready', store: storeRef.current });
      }
    };
    const subscription = new LiveEventSubscription({
      url: () => client.eventsUrl(loadToken() ?? ''),
      onEvent: (event) => {
        if (storeRef.current) storeRef.current.push(event);
        else pending.push(event);
      },
      onStreamEnded: (event) => streamEndings.emit(event),
      // Revoked or expired on the platform: to the login page with a notice, no reconnecting with a dead token.
      onSessionEnded: (reason) => client.sessionEnded(reason),
      onState: (state) => {
        if (cancelled) return;
        setLive(state);
        // EventSource hides why it failed: an expired token shows up here as a 401, which ends the session.
        if (state.kind === 'reconnecting') void client.me();
      },
      onResync: () => void resync(),
    });

    void fetchSnapshot(client).then((snapshot) => {
      if (cancelled) return;
      if (!snapshot.ok) {
        // Nothing to apply live events to until the user retries (which opens a new stream).
        subscription.close();
        pending = [];
        setLoad({ kind: 'error', error: snapshot.error });
        return;
      }
      performance.mark('tessera:snapshot-fetched');
      const store = new CameraStore(snapshot.value);
      performance.mark('tessera:store-built');
      for (const event of pending) store.push(event);
      pending = [];
      storeRef.current = store;
      setLoad({ kind: 'ready', store });
    });
    void client.me().then((result) => {
      if (!cancelled && result.ok) setMe(result.value);
    });
    void loadDistrictNodes(async (parent) => {
      const result = await client.civilAreas(parent);
      if (parent === undefined && result.ok && !cancelled) setTopAreas(result.value);
      return result.ok ? result.value : null;
    }).then((nodes) => {
      if (cancelled) return;
      areas.add(nodes);
      setAreasVersion((v) => v + 1);
    });

    return () => {
      cancelled = true;
      subscription.close();
      storeRef.current?.close();
      storeRef.current = null;
    };
  }, [client, areas, streamEndings, attempt]);

  const reload = useCallback(() => setAttempt((a) => a + 1), []);
  const cityWide = me && topAreas ? isCityWide(me, topAreas) : null;
  const value = useMemo<ConsoleData>(
    () => ({ client, load, live, me, cityWide, areas, areasVersion, streamEndings, reload }),
    [client, load, live, me, cityWide, areas, areasVersion, streamEndings, reload],
  );
  return <ConsoleDataContext.Provider value={value}>{children}</ConsoleDataContext.Provider>;
}

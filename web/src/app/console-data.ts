import { createContext, useContext } from 'react';
import type { ApiClient } from '../api/client';
import type { ApiError } from '../api/errors';
import type { LiveConnectionState } from '../api/events';
import type { CurrentUser } from '../api/types';
import type { AreaDirectory } from '../state/areas';
import type { CameraStore } from '../state/camera-store';
import type { StreamEndings } from '../state/stream-endings';

export type LoadState =
  | { kind: 'loading' }
  | { kind: 'ready'; store: CameraStore }
  | { kind: 'error'; error: ApiError };

export interface ConsoleData {
  client: ApiClient;
  load: LoadState;
  live: LiveConnectionState;
  me: CurrentUser | null;
  /**
   * Whether the user's jurisdiction is the whole instance (their area is a root of the civil-area tree): what
   * the platform asks of whoever configures upper platforms. null until known.
   */
  cityWide: boolean | null;
  areas: AreaDirectory;
  /** Incremented when district names arrive. */
  areasVersion: number;
  /** `stream.ended` events, by channel. */
  streamEndings: StreamEndings;
  reload: () => void;
}

export const ConsoleDataContext = createContext<ConsoleData | null>(null);

export function useConsoleData(): ConsoleData {
  const value = useContext(ConsoleDataContext);
  if (!value) throw new Error('useConsoleData outside ConsoleDataProvider');
  return value;
}

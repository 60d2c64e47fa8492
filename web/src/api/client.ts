import { type Decoder, DecodeError, decode, empty } from '@tessera/contracts/api';
import {
  basemapInfo,
  channelList,
  civilAreaList,
  currentUser,
  deviceList,
  onlineRate,
  outageList,
  playAnswer,
  ptzAnswer,
  tokenResponse,
  upperPlatform,
  upperPlatformList,
  userList,
  wallLayout,
  wallLayoutList,
} from './decoders';
import { type ApiError, errorFromResponse, fail, ok, type Result } from './errors';
import type {
  BasemapInfo,
  ChannelId,
  ChannelQuery,
  ChannelSummary,
  CivilAreaNode,
  CivilCode,
  CreateUserRequest,
  CurrentUser,
  DeviceSummary,
  LoginRequest,
  OnlineRate,
  Outage,
  PlayAnswer,
  PtzAnswer,
  PtzCommand,
  SessionEndedEvent,
  TokenResponse,
  UpperPlatform,
  UpperPlatformBody,
  UserSummary,
  WallLayout,
  WallLayoutBody,
  WallLayoutRequest,
} from './types';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ApiClientOptions {
  /** Origin and path prefix of the platform; '' when the console is served by the platform itself. */
  baseUrl?: string;
  /** The bearer token of the session, or null before login. */
  getToken: () => string | null;
  /**
   * Called once per request answered 401 (`expired`: the usual cause), or when the event stream says the
   * platform ended the session (sessionEnded), so the app can end it here too.
   */
  onUnauthorized?: (reason: SessionEndedEvent['reason']) => void;
  fetch?: typeof fetch;
  /** Deadline of an ordinary request. */
  timeoutMs?: number;
  /** Deadline of the inventory lists, which may hold 100,000 cameras. */
  listTimeoutMs?: number;
}

/**
 * The platform's REST API, typed. Every method resolves to a `Result`: failures are `ApiError` values,
 * never exceptions, and every request has a deadline.
 */
export class ApiClient {
  readonly #baseUrl: string;
  readonly #getToken: () => string | null;
  readonly #onUnauthorized: ((reason: SessionEndedEvent['reason']) => void) | undefined;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #listTimeoutMs: number;

  constructor(options: ApiClientOptions) {
    this.#baseUrl = options.baseUrl ?? '';
    this.#getToken = options.getToken;
    this.#onUnauthorized = options.onUnauthorized;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#listTimeoutMs = options.listTimeoutMs ?? 60_000;
  }

  login(body: LoginRequest): Promise<Result<TokenResponse>> {
    return this.#request('POST', '/api/v1/auth/login', tokenResponse, { body, auth: false });
  }

  /** Revokes this token on the platform (a copy of it left in another tab or a log is dead too). */
  logout(): Promise<Result<null>> {
    return this.#request('POST', '/api/v1/auth/logout', empty);
  }

  me(): Promise<Result<CurrentUser>> {
    return this.#request('GET', '/api/v1/me', currentUser);
  }

  devices(): Promise<Result<DeviceSummary[]>> {
    return this.#request('GET', '/api/v1/devices', deviceList, { timeoutMs: this.#listTimeoutMs });
  }

  channels(query: ChannelQuery = {}): Promise<Result<ChannelSummary[]>> {
    const params = new URLSearchParams();
    if (query.deviceId) params.set('deviceId', query.deviceId);
    if (query.civilCode) params.set('civilCode', query.civilCode);
    if (query.status) params.set('status', query.status);
    const search = params.size > 0 ? `?${params}` : '';
    return this.#request('GET', `/api/v1/channels${search}`, channelList, { timeoutMs: this.#listTimeoutMs });
  }

  /** Children of `parent` in the organisation tree; without it, the top of the caller's jurisdiction. */
  civilAreas(parent?: CivilCode): Promise<Result<CivilAreaNode[]>> {
    const search = parent ? `?parent=${encodeURIComponent(parent)}` : '';
    return this.#request('GET', `/api/v1/civil-areas${search}`, civilAreaList);
  }

  /** Cameras needing repair, longest outage first. */
  outages(): Promise<Result<Outage[]>> {
    return this.#request('GET', '/api/v1/outages', outageList, { timeoutMs: this.#listTimeoutMs });
  }

  onlineRate(): Promise<Result<OnlineRate>> {
    return this.#request('GET', '/api/v1/stats/online-rate', onlineRate);
  }

  /**
   * Starts (or joins) a camera's live session. The platform answers once the first keyframe arrived, which
   * may take its whole play timeout (10 s by default) — hence the longer deadline.
   */
  play(channelId: ChannelId): Promise<Result<PlayAnswer>> {
    return this.#request('POST', `/api/v1/channels/${encodeURIComponent(channelId)}/play`, playAnswer, {
      timeoutMs: 20_000,
    });
  }

  ptz(channelId: ChannelId, command: PtzCommand): Promise<Result<PtzAnswer>> {
    return this.#request('POST', `/api/v1/channels/${encodeURIComponent(channelId)}/ptz`, ptzAnswer, {
      body: command,
    });
  }

  /** The street-level base map the platform serves, if any. */
  basemap(): Promise<Result<BasemapInfo>> {
    return this.#request('GET', '/api/v1/basemap', basemapInfo);
  }

  /**
   * The absolute URL of a platform path (a URL template's braces left as they are) and the Authorization header
   * its requests need: for fetches made by others (maplibre's tile requests), which cannot go through `#request`.
   */
  authorized(path: string): { url: string; authorization: string | null } {
    const token = this.#getToken();
    const base = /^https?:\/\//.test(this.#baseUrl)
      ? this.#baseUrl
      : `${globalThis.location?.origin ?? ''}${this.#baseUrl}`;
    return { url: `${base}${path}`, authorization: token ? `Bearer ${token}` : null };
  }

  /** The caller's own saved wall layouts. */
  wallLayouts(): Promise<Result<WallLayout[]>> {
    return this.#request('GET', '/api/v1/wall-layouts', wallLayoutList);
  }

  saveWallLayout(name: string, layout: WallLayoutBody): Promise<Result<WallLayout>> {
    return this.#request('PUT', `/api/v1/wall-layouts/${encodeURIComponent(name)}`, wallLayout, {
      body: layout satisfies WallLayoutRequest,
    });
  }

  deleteWallLayout(name: string): Promise<Result<null>> {
    return this.#request('DELETE', `/api/v1/wall-layouts/${encodeURIComponent(name)}`, empty);
  }

  /** Users in the caller's jurisdiction (admins only). */
  users(): Promise<Result<UserSummary[]>> {
    return this.#request('GET', '/api/v1/users', userList);
  }

  createUser(body: CreateUserRequest): Promise<Result<UserSummary>> {
    return this.#request('POST', '/api/v1/users', currentUser, { body });
  }

  /** Upper platforms this instance registers to, with their link state (city-wide admins only, else 403). */
  upperPlatforms(): Promise<Result<UpperPlatform[]>> {
    return this.#request('GET', '/api/v1/upper-platforms', upperPlatformList);
  }

  createUpperPlatform(body: UpperPlatformBody): Promise<Result<UpperPlatform>> {
    return this.#request('POST', '/api/v1/upper-platforms', upperPlatform, { body });
  }

  /** Replaces the whole configuration, password included (the link restarts). */
  updateUpperPlatform(id: string, body: UpperPlatformBody): Promise<Result<UpperPlatform>> {
    return this.#request('PUT', `/api/v1/upper-platforms/${encodeURIComponent(id)}`, upperPlatform, { body });
  }

  deleteUpperPlatform(id: string): Promise<Result<null>> {
    return this.#request('DELETE', `/api/v1/upper-platforms/${encodeURIComponent(id)}`, empty);
  }

  /** URL of the Server-Sent Events stream: EventSource cannot send headers, so the token goes in the query. */
  eventsUrl(token: string): string {
    return `${this.#baseUrl}/api/v1/events?token=${encodeURIComponent(token)}`;
  }

  async #request<T>(
    method: Method,
    path: string,
    decoder: Decoder<T>,
    options: { body?: unknown; auth?: boolean; timeoutMs?: number } = {},
  ): Promise<Result<T>> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.auth !== false) {
      const token = this.#getToken();
      if (!token) return fail({ kind: 'unauthorized', message: 'not logged in' });
      headers.Authorization = `Bearer ${token}`;
    }
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    let response: Response;
    try {
      response = await this.#fetch(`${this.#baseUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? null : JSON.stringify(options.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'TimeoutError')
        return fail({ kind: 'timeout', timeoutMs });
      return fail({ kind: 'network', message: error instanceof Error ? error.message : String(error) });
    }
    let body: unknown;
    try {
      const text = await response.text();
      body = text === '' ? null : JSON.parse(text);
    } catch (error) {
      if (!response.ok)
        return fail(this.#failed(errorFromResponse(response.status, null), options.auth !== false));
      if (error instanceof DOMException && error.name === 'TimeoutError')
        return fail({ kind: 'timeout', timeoutMs });
      return fail({ kind: 'decode', message: `${path}: the body is not JSON` });
    }
    if (!response.ok)
      return fail(this.#failed(errorFromResponse(response.status, body), options.auth !== false));
    try {
      return ok(decode(decoder, body, path));
    } catch (error) {
      if (error instanceof DecodeError) return fail({ kind: 'decode', message: error.message });
      throw error;
    }
  }

  /** A 401 on an authenticated request means the session ended (a failed login is just a failed login). */
  #failed(error: ApiError, authenticated: boolean): ApiError {
    if (error.kind === 'unauthorized' && authenticated) this.#onUnauthorized?.('expired');
    return error;
  }

  /** The platform ended the session (the event stream's `session.ended`): the app logs out with the reason. */
  sessionEnded(reason: SessionEndedEvent['reason']): void {
    this.#onUnauthorized?.(reason);
  }
}

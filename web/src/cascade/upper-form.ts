import type { UpperPlatform, UpperPlatformBody, UpperTransport } from '../api/types';
import type { MessageKey } from '../i18n/messages';

/** The form as typed: numbers stay text until validated, so a half-typed port is not lost. */
export interface UpperForm {
  name: string;
  sipId: string;
  /** What the admin typed; ignored (the default is used) until `domainEdited`. */
  domain: string;
  domainEdited: boolean;
  host: string;
  port: string;
  transport: UpperTransport;
  /** Our ID as the upper knows us; '' = the platform's own SIP ID. */
  localId: string;
  password: string;
  /** The upper asks for no password: sent as ''. */
  noPassword: boolean;
  keepaliveIntervalSec: string;
  enabled: boolean;
  shareCivilCodes: string[];
  deviceIds: string;
  channelIds: string;
}

export type UpperFormField =
  | 'name'
  | 'sipId'
  | 'domain'
  | 'host'
  | 'port'
  | 'localId'
  | 'password'
  | 'keepaliveIntervalSec'
  | 'deviceIds'
  | 'channelIds';

export interface FormProblem {
  field: UpperFormField;
  message: MessageKey;
  params?: Record<string, string>;
}

export type FormResult = { ok: true; body: UpperPlatformBody } | { ok: false; problems: FormProblem[] };

const GB_ID = /^\d{20}$/;
const NO_SPACE = /^\S+$/;

export function emptyForm(): UpperForm {
  return {
    name: '',
    sipId: '',
    domain: '',
    domainEdited: false,
    host: '',
    port: '5060',
    transport: 'udp',
    localId: '',
    password: '',
    noPassword: false,
    keepaliveIntervalSec: '60',
    enabled: true,
    shareCivilCodes: [],
    deviceIds: '',
    channelIds: '',
  };
}

/** GB/T 28181: the SIP domain of a platform is the first 10 digits of its ID. */
export function defaultDomain(sipId: string): string {
  return sipId.trim().slice(0, 10);
}

/** The domain that will be sent. */
export function effectiveDomain(form: UpperForm): string {
  return form.domainEdited ? form.domain.trim() : defaultDomain(form.sipId);
}

/**
 * An existing upper in the form. The password is never read back from the platform, so it starts empty; left
 * empty it is not sent and the platform keeps the stored one.
 */
export function formFromUpper(upper: UpperPlatform): UpperForm {
  return {
    name: upper.name,
    sipId: upper.sipId,
    domain: upper.domain,
    domainEdited: upper.domain !== defaultDomain(upper.sipId),
    host: upper.host,
    port: String(upper.port),
    transport: upper.transport,
    localId: upper.localId ?? '',
    password: '',
    noPassword: false,
    keepaliveIntervalSec: String(upper.keepaliveIntervalSec),
    enabled: upper.enabled,
    shareCivilCodes: [...upper.shareCivilCodes],
    deviceIds: upper.shareDeviceIds.join('\n'),
    channelIds: upper.shareChannelIds.join('\n'),
  };
}

/** IDs separated by commas (ASCII or full-width), semicolons, 、 or white space; duplicates dropped, order kept. */
export function parseIdList(text: string): string[] {
  return [...new Set(text.split(/[\s,，;；、]+/).filter((s) => s !== ''))];
}

function wholeNumberIn(text: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(text.trim())) return null;
  const n = Number(text.trim());
  return n >= min && n <= max ? n : null;
}

/**
 * Checks the form as the platform would (UpperPlatformBody) and builds the body. Settings the form does not
 * show (register expiry, keepalive count, charset, ID/name remapping) are kept from `base` when editing.
 */
export function validateForm(form: UpperForm, base: UpperPlatform | null = null): FormResult {
  const problems: FormProblem[] = [];
  const name = form.name.trim();
  if (name.length < 1 || name.length > 128) problems.push({ field: 'name', message: 'cascade.invalid.name' });
  const sipId = form.sipId.trim();
  if (!GB_ID.test(sipId)) problems.push({ field: 'sipId', message: 'cascade.invalid.sipId' });
  const domain = effectiveDomain(form);
  // A wrong SIP ID already says what to fix; its derived domain is not a second problem.
  if ((form.domainEdited || GB_ID.test(sipId)) && (domain.length > 128 || !NO_SPACE.test(domain)))
    problems.push({ field: 'domain', message: 'cascade.invalid.domain' });
  const host = form.host.trim();
  if (host.length > 255 || !NO_SPACE.test(host))
    problems.push({ field: 'host', message: 'cascade.invalid.host' });
  const port = wholeNumberIn(form.port, 1, 65_535);
  if (port === null) problems.push({ field: 'port', message: 'cascade.invalid.port' });
  const localId = form.localId.trim();
  if (localId !== '' && !GB_ID.test(localId))
    problems.push({ field: 'localId', message: 'cascade.invalid.localId' });
  // A new upper needs its password (or an explicit "none"); an edit left blank keeps the stored one.
  if (base === null && !form.noPassword && form.password === '')
    problems.push({ field: 'password', message: 'cascade.invalid.password' });
  if (form.password.length > 256)
    problems.push({ field: 'password', message: 'cascade.invalid.passwordLong' });
  const keepalive = wholeNumberIn(form.keepaliveIntervalSec, 1, 3600);
  if (keepalive === null)
    problems.push({ field: 'keepaliveIntervalSec', message: 'cascade.invalid.keepalive' });
  const deviceIds = parseIdList(form.deviceIds);
  const channelIds = parseIdList(form.channelIds);
  for (const [field, ids] of [
    ['deviceIds', deviceIds],
    ['channelIds', channelIds],
  ] as const) {
    const bad = ids.filter((id) => !GB_ID.test(id));
    if (bad.length > 0)
      problems.push({ field, message: 'cascade.invalid.ids', params: { ids: abbreviate(bad) } });
  }
  if (problems.length > 0 || port === null || keepalive === null) return { ok: false, problems };
  return {
    ok: true,
    body: {
      name,
      sipId,
      domain,
      host,
      port,
      transport: form.transport,
      localId: localId === '' ? null : localId,
      ...(form.noPassword ? { password: '' } : form.password !== '' ? { password: form.password } : {}),
      registerExpiresSec: base?.registerExpiresSec ?? 3600,
      keepaliveIntervalSec: keepalive,
      keepaliveCount: base?.keepaliveCount ?? 3,
      charset: base?.charset ?? 'gb2312',
      enabled: form.enabled,
      shareCivilCodes: [...form.shareCivilCodes],
      shareDeviceIds: deviceIds,
      shareChannelIds: channelIds,
      remap: base?.remap ?? {},
    },
  };
}

/** The same upper with only `enabled` changed: what the row's enable/disable sends (the password stays stored). */
export function toggledBody(upper: UpperPlatform, enabled: boolean): UpperPlatformBody {
  return {
    name: upper.name,
    sipId: upper.sipId,
    domain: upper.domain,
    host: upper.host,
    port: upper.port,
    transport: upper.transport,
    localId: upper.localId,
    registerExpiresSec: upper.registerExpiresSec,
    keepaliveIntervalSec: upper.keepaliveIntervalSec,
    keepaliveCount: upper.keepaliveCount,
    charset: upper.charset,
    enabled,
    shareCivilCodes: upper.shareCivilCodes,
    shareDeviceIds: upper.shareDeviceIds,
    shareChannelIds: upper.shareChannelIds,
    remap: upper.remap,
  };
}

/** Adds a civil code, or removes it when already chosen. */
export function toggleCode(codes: readonly string[], code: string): string[] {
  return codes.includes(code) ? codes.filter((c) => c !== code) : [...codes, code];
}

function abbreviate(ids: string[]): string {
  return ids.length <= 3 ? ids.join(', ') : `${ids.slice(0, 3).join(', ')} …(+${ids.length - 3})`;
}

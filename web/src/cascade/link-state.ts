import type { UpperLink, UpperLinkState } from '../api/types';
import type { MessageKey } from '../i18n/messages';

/** Badge colours: registered green, registering amber, failed red, disabled grey. */
export type LinkTone = 'green' | 'amber' | 'red' | 'grey';

const TONES: Record<UpperLinkState, LinkTone> = {
  registered: 'green',
  registering: 'amber',
  failed: 'red',
  disabled: 'grey',
};

export function linkTone(state: UpperLinkState): LinkTone {
  return TONES[state];
}

export function linkLabel(state: UpperLinkState): MessageKey {
  return `cascade.link.${state}`;
}

/** What a link's badge says, at `now`: state, why, since when, and (failed) when the gateway tries again. */
export interface LinkSummary {
  state: UpperLinkState;
  tone: LinkTone;
  label: MessageKey;
  /** The gateway's detail ("403 Forbidden", "via 10.0.0.2:5060"…), shown for every state that has one. */
  detail: string | null;
  /** Epoch ms of the last change; null when the gateway has not reported yet or the time is unreadable. */
  since: number | null;
  /** Failed only: epoch ms of the next REGISTER, and whole seconds until then (0 once it is due). */
  retryAt: number | null;
  retryInSec: number | null;
}

function parseTime(iso: string | null): number | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : null;
}

export function summarizeLink(link: UpperLink, now: number): LinkSummary {
  const retryAt = link.state === 'failed' ? parseTime(link.retryAt) : null;
  return {
    state: link.state,
    tone: linkTone(link.state),
    label: linkLabel(link.state),
    detail: link.detail,
    since: parseTime(link.changedAt),
    retryAt,
    retryInSec: retryAt === null ? null : Math.max(0, Math.ceil((retryAt - now) / 1000)),
  };
}

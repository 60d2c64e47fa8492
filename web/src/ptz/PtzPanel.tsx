import { type KeyboardEvent, type PointerEvent, useEffect, useMemo, useState } from 'react';
import type { ChannelSummary, PtzCommand, PtzDirection } from '../api/types';
import { useConsoleData } from '../app/console-data';
import { describeApiError } from '../i18n/i18n';
import { useI18n } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n/messages';
import { PtzHold, type PtzOutcome, SPEED_LEVELS, scaledSpeed } from './ptz-hold';

/** The pad, row by row; null is the centre. */
const PAD: readonly (PtzDirection | null)[] = [
  'up-left',
  'up',
  'up-right',
  'left',
  null,
  'right',
  'down-left',
  'down',
  'down-right',
];
const ARROWS: Record<PtzDirection, string> = {
  'up-left': '↖',
  up: '↑',
  'up-right': '↗',
  left: '←',
  right: '→',
  'down-left': '↙',
  down: '↓',
  'down-right': '↘',
};

type Status = { kind: 'none' } | { kind: 'sent'; hex: string } | { kind: 'failed'; message: string };

interface HoldButtonProps {
  label: string;
  testId: string;
  command: () => PtzCommand;
  hold: PtzHold;
  children: string;
}

/** A button that sends its command while pressed (mouse, touch or keyboard) and the matching stop on release. */
function HoldButton({ label, testId, command, hold, children }: HoldButtonProps) {
  const onPointerDown = (event: PointerEvent<HTMLButtonElement>) => {
    if (event.button !== 0) return;
    // Capture: the release comes to this button even when the pointer slid off it.
    event.currentTarget.setPointerCapture(event.pointerId);
    hold.press(command());
  };
  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    if ((event.key === 'Enter' || event.key === ' ') && !event.repeat) {
      event.preventDefault();
      hold.press(command());
    }
  };
  const onKeyUp = (event: KeyboardEvent<HTMLButtonElement>) => {
    if (event.key === 'Enter' || event.key === ' ') hold.release();
  };
  return (
    <button
      type="button"
      className="ptz-button"
      aria-label={label}
      title={label}
      data-ptz={testId}
      onPointerDown={onPointerDown}
      onPointerUp={() => hold.release()}
      onPointerCancel={() => hold.release()}
      onKeyDown={onKeyDown}
      onKeyUp={onKeyUp}
      onBlur={() => hold.release()}
    >
      {children}
    </button>
  );
}

/** Is the camera one the panel drives? Domes (1), half-domes (2), remote-control bullets (4); unknown (null) may be. */
export function isPtzCamera(channel: ChannelSummary): boolean {
  return channel.ptzType !== 3;
}

/** 云台控制 for one camera: eight directions, zoom, focus, iris at a chosen speed, and presets. */
export function PtzPanel({ channel }: { channel: ChannelSummary }) {
  const { t } = useI18n();
  const { client } = useConsoleData();
  const [level, setLevel] = useState(5);
  const [preset, setPreset] = useState(1);
  const [status, setStatus] = useState<Status>({ kind: 'none' });

  const hold = useMemo(
    () =>
      new PtzHold(
        (command) => client.ptz(channel.channelId, command),
        ({ result }: PtzOutcome) =>
          setStatus(
            result.ok
              ? { kind: 'sent', hex: result.value.ptzCmd }
              : { kind: 'failed', message: describeApiError(result.error, t) },
          ),
      ),
    [client, channel.channelId, t],
  );
  // Leaving the panel (another tile, another view) while a button is held must not leave the camera moving.
  useEffect(() => () => hold.release(), [hold]);

  const speed = scaledSpeed(level, 255);
  const zoomSpeed = scaledSpeed(level, 15);
  const pair = (
    key: MessageKey,
    testId: string,
    command: () => PtzCommand,
    symbol: string,
  ): [string, string, () => PtzCommand, string] => [t(key), testId, command, symbol];
  const lenses = [
    [
      pair('ptz.zoomOut', 'zoom-out', () => ({ type: 'zoom', direction: 'out', speed: zoomSpeed }), '−'),
      t('ptz.zoom'),
      pair('ptz.zoomIn', 'zoom-in', () => ({ type: 'zoom', direction: 'in', speed: zoomSpeed }), '+'),
    ],
    [
      pair('ptz.focusNear', 'focus-near', () => ({ type: 'focus', direction: 'near', speed }), '−'),
      t('ptz.focus'),
      pair('ptz.focusFar', 'focus-far', () => ({ type: 'focus', direction: 'far', speed }), '+'),
    ],
    [
      pair('ptz.irisClose', 'iris-close', () => ({ type: 'iris', direction: 'close', speed }), '−'),
      t('ptz.iris'),
      pair('ptz.irisOpen', 'iris-open', () => ({ type: 'iris', direction: 'open', speed }), '+'),
    ],
  ] as const;

  return (
    <section className="ptz-panel" aria-label={t('ptz.title')}>
      <h3>
        {t('ptz.title')} <span className="muted">{channel.name}</span>
      </h3>
      {channel.ptzType === null && <p className="muted small">{t('ptz.unknownType')}</p>}
      <div className="ptz-pad">
        {PAD.map((direction) =>
          direction === null ? (
            <span key="centre" className="ptz-centre" aria-hidden="true" />
          ) : (
            <HoldButton
              key={direction}
              label={t(`ptz.${direction}`)}
              testId={direction}
              hold={hold}
              command={() => ({ type: 'move', direction, panSpeed: speed, tiltSpeed: speed })}
            >
              {ARROWS[direction]}
            </HoldButton>
          ),
        )}
      </div>
      <div className="ptz-lenses">
        {lenses.map(([minus, name, plus]) => (
          <div key={name} className="ptz-lens">
            <HoldButton label={minus[0]} testId={minus[1]} command={minus[2]} hold={hold}>
              {minus[3]}
            </HoldButton>
            <span>{name}</span>
            <HoldButton label={plus[0]} testId={plus[1]} command={plus[2]} hold={hold}>
              {plus[3]}
            </HoldButton>
          </div>
        ))}
      </div>
      <label className="ptz-speed">
        <span>{t('ptz.speed', { level })}</span>
        <input
          type="range"
          min={1}
          max={SPEED_LEVELS}
          value={level}
          aria-label={t('ptz.speedLabel')}
          onChange={(event) => setLevel(Number(event.target.value))}
        />
      </label>
      <div className="ptz-presets">
        <label>
          <span>{t('ptz.preset')}</span>
          <input
            type="number"
            min={1}
            max={255}
            value={preset}
            aria-label={t('ptz.preset')}
            onChange={(event) => setPreset(Math.min(255, Math.max(1, Number(event.target.value) || 1)))}
          />
        </label>
        {(['call', 'set', 'delete'] as const).map((action) => (
          <button
            key={action}
            type="button"
            data-ptz={`preset-${action}`}
            onClick={() => hold.send({ type: 'preset', action, preset })}
          >
            {t(`ptz.preset.${action}`)}
          </button>
        ))}
      </div>
      <p className={`ptz-status${status.kind === 'failed' ? ' bad' : ''}`} role="status">
        {status.kind === 'sent' && t('ptz.sent', { cmd: status.hex })}
        {status.kind === 'failed' && t('ptz.failed', { message: status.message })}
      </p>
    </section>
  );
}

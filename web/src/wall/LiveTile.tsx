import { type DragEvent, useEffect, useReducer, useRef, useState } from 'react';
import type { ChannelId, ChannelSummary } from '../api/types';
import { useConsoleData } from '../app/console-data';
import { useI18n } from '../i18n/I18nProvider';
import { useNow } from '../ui/useNow';
import { droppedCamera, isCameraDrag } from './camera-drag';
import { playerErrorDetail, playerErrorTitle, playerStatus } from './describe-player';
import { LivePlayer } from './live-player';
import { IDLE, nextPlayerState } from './player-state';
import { TileClock } from './TileClock';

interface LiveTileProps {
  index: number;
  channelId: ChannelId | null;
  /** The camera's details, when the console knows it (it may be outside the loaded inventory). */
  channel: ChannelSummary | null;
  selected: boolean;
  onSelect: () => void;
  onAssign: (channelId: ChannelId) => void;
  onClear: () => void;
}

/**
 * One tile of the wall: plays its camera (play → WHEP), shows the camera's name and a clock over the picture, says
 * why when the picture is gone and tries again with back-off; accepts cameras dropped on it; goes full screen.
 */
export function LiveTile({
  index,
  channelId,
  channel,
  selected,
  onSelect,
  onAssign,
  onClear,
}: LiveTileProps) {
  const { t } = useI18n();
  const { client, streamEndings } = useConsoleData();
  const [state, dispatch] = useReducer(nextPlayerState, IDLE);
  const videoRef = useRef<HTMLVideoElement>(null);
  const tileRef = useRef<HTMLDivElement>(null);
  const [dragOver, setDragOver] = useState(false);
  const [maximised, setMaximised] = useState(false);
  const now = useNow(state.kind === 'error' ? 1000 : 60_000);

  useEffect(() => {
    dispatch(channelId ? { type: 'assign', channelId, at: Date.now() } : { type: 'clear' });
  }, [channelId]);

  // One player per connection attempt (`run`); it lives on while the attempt plays.
  const activeRun = state.kind === 'connecting' || state.kind === 'playing' ? state.run : null;
  const activeChannel = state.kind === 'idle' ? null : state.channelId;
  useEffect(() => {
    const video = videoRef.current;
    if (activeRun === null || !activeChannel || !video) return;
    const player = new LivePlayer({
      channelId: activeChannel,
      video,
      play: (id) => client.play(id),
      streamEndings,
      onFirstFrame: () => dispatch({ type: 'first-frame', at: Date.now() }),
      onFailed: (error) => dispatch({ type: 'failed', error, at: Date.now() }),
    });
    return () => player.close();
  }, [activeRun, activeChannel, client, streamEndings]);

  const retryAt = state.kind === 'error' ? state.retryAt : null;
  useEffect(() => {
    if (retryAt === null) return;
    const timer = setTimeout(() => dispatch({ type: 'retry', at: Date.now() }), retryAt - Date.now());
    return () => clearTimeout(timer);
  }, [retryAt]);

  useEffect(() => {
    const onVisibility = () =>
      dispatch({ type: 'tab', shown: document.visibilityState === 'visible', at: Date.now() });
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, []);

  useEffect(() => {
    const onChange = () => setMaximised(document.fullscreenElement === tileRef.current);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);

  const toggleFullscreen = () => {
    const tile = tileRef.current;
    if (!tile) return;
    if (document.fullscreenElement === tile) {
      void document.exitFullscreen();
      return;
    }
    if (maximised) {
      setMaximised(false);
      return;
    }
    // Where the Fullscreen API is refused (kiosk policies, some embedded browsers) the tile fills the wall instead.
    tile.requestFullscreen().then(
      () => setMaximised(true),
      () => setMaximised(true),
    );
  };

  const onDragOver = (event: DragEvent<HTMLDivElement>) => {
    if (!isCameraDrag(event.dataTransfer)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setDragOver(true);
  };
  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    setDragOver(false);
    const dropped = droppedCamera(event.dataTransfer);
    if (!dropped) return;
    event.preventDefault();
    onAssign(dropped);
    onSelect();
  };

  const name = channel?.name ?? channelId ?? '';
  const classes = [
    'wall-tile',
    `player-${state.kind}`,
    selected ? 'selected' : '',
    dragOver ? 'drag-over' : '',
    maximised ? 'maximised' : '',
  ];
  return (
    // biome-ignore lint/a11y/useSemanticElements: a tile holds buttons and video; a <button> cannot.
    <div
      ref={tileRef}
      className={classes.filter(Boolean).join(' ')}
      role="group"
      aria-label={t('wall.tile', { n: index + 1 })}
      data-tile={index}
      data-channel-id={channelId ?? undefined}
      data-state={state.kind}
      onPointerDown={onSelect}
      onDragOver={onDragOver}
      onDragLeave={() => setDragOver(false)}
      onDrop={onDrop}
    >
      <video
        ref={videoRef}
        className="tile-video"
        muted
        autoPlay
        playsInline
        hidden={state.kind === 'idle'}
      />
      {state.kind === 'idle' ? (
        <div className="tile-empty">
          <span>{t('wall.tile', { n: index + 1 })}</span>
          <span className="muted">{t('wall.empty')}</span>
        </div>
      ) : (
        <>
          <div className="tile-top">
            <span className="tile-name" title={channelId ?? ''}>
              {name}
            </span>
            <span className="tile-actions">
              <button
                type="button"
                className="tile-button"
                onClick={toggleFullscreen}
                title={t('wall.fullscreen')}
              >
                {maximised ? t('wall.exitFullscreen') : t('wall.fullscreen')}
              </button>
              <button type="button" className="tile-button" onClick={onClear} title={t('wall.close')}>
                ✕
              </button>
            </span>
          </div>
          {state.kind !== 'playing' && (
            <div className={`tile-status${state.kind === 'error' ? ' tile-error' : ''}`} role="status">
              {state.kind === 'error' && (
                <>
                  <strong>{playerErrorTitle(state.error, t)}</strong>
                  {playerErrorDetail(state.error) && (
                    <span className="tile-detail">{playerErrorDetail(state.error)}</span>
                  )}
                </>
              )}
              <span>{playerStatus(state, now, t)}</span>
              {state.kind === 'error' && (
                <button
                  type="button"
                  className="link-button"
                  onClick={() => dispatch({ type: 'retry', at: Date.now() })}
                >
                  {t('player.retryNow')}
                </button>
              )}
            </div>
          )}
          <TileClock />
        </>
      )}
    </div>
  );
}

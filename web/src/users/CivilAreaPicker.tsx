import { useEffect, useState } from 'react';
import type { ApiError } from '../api/errors';
import type { CivilAreaNode, CivilCode } from '../api/types';
import { useConsoleData } from '../app/console-data';
import { useI18n } from '../i18n/I18nProvider';
import { ErrorNotice } from '../ui/ErrorNotice';

type Children =
  | { kind: 'loading' }
  | { kind: 'loaded'; nodes: CivilAreaNode[] }
  | { kind: 'error'; error: ApiError };

interface PickerProps {
  isSelected: (code: CivilCode) => boolean;
  onSelect: (node: CivilAreaNode) => void;
  /** Checkboxes (several areas) instead of radio buttons (one). */
  multiple: boolean;
}

/** The children of one area (or the top of the caller's jurisdiction), fetched when shown. */
function AreaLevel({
  parent,
  isSelected,
  onSelect,
  multiple,
  openSingle,
}: PickerProps & { parent?: CivilCode; openSingle: boolean }) {
  const { t } = useI18n();
  const { client, areas } = useConsoleData();
  const [children, setChildren] = useState<Children>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` reloads on retry.
  useEffect(() => {
    let cancelled = false;
    void client.civilAreas(parent).then((result) => {
      if (cancelled) return;
      if (result.ok) areas.add(result.value);
      setChildren(
        result.ok ? { kind: 'loaded', nodes: result.value } : { kind: 'error', error: result.error },
      );
    });
    return () => {
      cancelled = true;
    };
  }, [client, areas, parent, attempt]);

  if (children.kind === 'loading') return <p className="muted">{t('org.loading')}</p>;
  if (children.kind === 'error')
    return <ErrorNotice error={children.error} onRetry={() => setAttempt((a) => a + 1)} />;
  return (
    <ul className="tree area-picker">
      {children.nodes.map((node) => (
        <AreaChoice
          key={node.code}
          node={node}
          isSelected={isSelected}
          onSelect={onSelect}
          multiple={multiple}
          initiallyOpen={openSingle && children.nodes.length === 1}
        />
      ))}
    </ul>
  );
}

function AreaChoice({
  node,
  isSelected,
  onSelect,
  multiple,
  initiallyOpen,
}: PickerProps & { node: CivilAreaNode; initiallyOpen: boolean }) {
  const [open, setOpen] = useState(initiallyOpen);
  return (
    <li className="tree-node">
      <div className="tree-row tree-leaf">
        <button
          type="button"
          className="tree-caret link-button"
          aria-label={node.name}
          aria-expanded={open}
          disabled={node.childCount === 0}
          onClick={() => setOpen(!open)}
        >
          {node.childCount === 0 ? '·' : open ? '▾' : '▸'}
        </button>
        <label className="area-choice">
          <input
            type={multiple ? 'checkbox' : 'radio'}
            name={multiple ? 'civil-areas' : 'civil-area'}
            value={node.code}
            checked={isSelected(node.code)}
            onChange={() => onSelect(node)}
          />
          <span className="tree-name">{node.name}</span>
          <span className="tree-code">{node.code}</span>
        </label>
      </div>
      {open && (
        <AreaLevel
          parent={node.code}
          isSelected={isSelected}
          onSelect={onSelect}
          multiple={multiple}
          openSingle={false}
        />
      )}
    </li>
  );
}

/** Pick a jurisdiction from the civil-area tree (GB/T 2260), within the admin's own. */
export function CivilAreaPicker({
  selected,
  onSelect,
}: {
  selected: CivilCode | null;
  onSelect: (node: CivilAreaNode) => void;
}) {
  return (
    <AreaLevel isSelected={(code) => code === selected} onSelect={onSelect} multiple={false} openSingle />
  );
}

/** Pick several areas (e.g. what an upper platform sees): `onToggle` adds or removes one. */
export function CivilAreaMultiPicker({
  selected,
  onToggle,
}: {
  selected: readonly string[];
  onToggle: (node: CivilAreaNode) => void;
}) {
  return <AreaLevel isSelected={(code) => selected.includes(code)} onSelect={onToggle} multiple openSingle />;
}

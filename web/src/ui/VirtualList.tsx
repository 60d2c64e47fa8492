import { type ReactNode, useState } from 'react';

interface VirtualListProps<T> {
  items: readonly T[];
  rowHeight: number;
  /** Height of the scrolling box, px. */
  height: number;
  renderRow: (item: T, index: number) => ReactNode;
  label?: string;
}

const OVERSCAN = 8;

/** Renders only the rows in view: the outage list may hold thousands of cameras. */
export function VirtualList<T>({ items, rowHeight, height, renderRow, label }: VirtualListProps<T>) {
  const [scrollTop, setScrollTop] = useState(0);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      <li key={i} className="virtual-row" style={{ top: i * rowHeight, height: rowHeight }}>
        {renderRow(items[i]!, i)}
      </li>,
    );
  }
  return (
    <div
      className="virtual-list"
      style={{ height }}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
    >
      <ul aria-label={label} style={{ height: items.length * rowHeight }}>
        {rows}
      </ul>
    </div>
  );
}

import { type RefObject, useEffect, useState } from 'react';

/** The element's current height, followed with a ResizeObserver. */
export function useElementHeight(ref: RefObject<HTMLElement | null>, initial = 400): number {
  const [height, setHeight] = useState(initial);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setHeight(Math.floor(entry.contentRect.height));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return height;
}

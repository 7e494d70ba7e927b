import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * The rendered height of an element, kept up to date: a callback ref to put on it and its height in pixels (0 while
 * it is not mounted). Notices above the chart wrap to any number of lines, so the chart gets what they leave.
 */
export function useElementHeight<T extends HTMLElement>(): [(element: T | null) => void, number] {
  const [height, setHeight] = useState(0);
  const observer = useRef<ResizeObserver | undefined>(undefined);

  const ref = useCallback((element: T | null) => {
    observer.current?.disconnect();
    observer.current = undefined;
    if (!element) {
      setHeight(0);
      return;
    }
    setHeight(element.getBoundingClientRect().height);
    if (typeof ResizeObserver !== 'undefined') {
      observer.current = new ResizeObserver(() => setHeight(element.getBoundingClientRect().height));
      observer.current.observe(element);
    }
  }, []);

  useEffect(() => () => observer.current?.disconnect(), []);
  return [ref, height];
}

/**
 * jsdom has no canvas, Path2D nor ResizeObserver: uPlot measures text and draws through a no-op 2D context that
 * counts its clears (uPlot clears its canvas once per draw) and notes its stroke styles. The browser tests see real pixels.
 */

/** Per canvas: how many times it was cleared. */
export const canvasClears = new WeakMap<HTMLCanvasElement, number>();
/** Per canvas: every stroke style it was given (the colours its lines were drawn in). */
export const canvasStrokeStyles = new WeakMap<HTMLCanvasElement, Set<string>>();

/** Installs the stubs; call it in a beforeAll. */
export function installPlotStubs(): void {
  const contexts = new WeakMap<HTMLCanvasElement, object>();
  const noOpContext = (canvas: HTMLCanvasElement) => {
    const store: Record<string | symbol, unknown> = {};
    return new Proxy(store, {
      get: (target, key) => {
        if (key in target) {
          return target[key];
        }
        if (key === 'measureText') {
          return () => ({ width: 8 });
        }
        return key === 'clearRect'
          ? () => canvasClears.set(canvas, (canvasClears.get(canvas) ?? 0) + 1)
          : () => undefined;
      },
      set: (target, key, value) => {
        target[key] = value;
        if (key === 'strokeStyle' && typeof value === 'string') {
          canvasStrokeStyles.set(canvas, (canvasStrokeStyles.get(canvas) ?? new Set()).add(value));
        }
        return true;
      },
    });
  };
  jest.spyOn(HTMLCanvasElement.prototype, 'getContext').mockImplementation(function (this: HTMLCanvasElement) {
    if (!contexts.has(this)) {
      contexts.set(this, noOpContext(this));
    }
    return contexts.get(this) as never;
  });
  // uPlot builds its paths as Path2D objects.
  Object.assign(globalThis, {
    Path2D: class {
      moveTo() {}
      lineTo() {}
      rect() {}
      arc() {}
      closePath() {}
      addPath() {}
      bezierCurveTo() {}
      quadraticCurveTo() {}
    },
    // Grafana's tooltip watches the plot's size; jsdom lays nothing out, so there is nothing to observe.
    ResizeObserver: class {
      observe() {}
      unobserve() {}
      disconnect() {}
    },
  });
}

/** The rendered plots (uPlot's roots) and their canvases. */
export function plots(): Array<{ root: Element; canvas: HTMLCanvasElement }> {
  return Array.from(document.querySelectorAll('.uplot')).map((root) => ({
    root,
    canvas: root.querySelector('canvas')!,
  }));
}

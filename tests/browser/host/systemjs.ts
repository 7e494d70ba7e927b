/** The part of SystemJS 6's global loader the host uses (system.js and extras/amd.js are loaded as plain scripts). */
export interface SystemJSLoader {
  import(id: string): Promise<Record<string, unknown>>;
  set(id: string, namespace: object): void;
  addImportMap(map: { imports: Record<string, string> }): void;
}

export function getSystemJS(): SystemJSLoader {
  const system = (window as unknown as { System?: SystemJSLoader }).System;
  if (!system || typeof (window as unknown as { define?: unknown }).define !== 'function') {
    throw new Error('SystemJS or its AMD extra is not loaded: the host page must include system.js and extras/amd.js');
  }
  return system;
}

/**
 * What must not outlive a Ctrl-C (SIGINT), a SIGTERM, a closed terminal or dropped ssh session (SIGHUP) or a Ctrl-\
 * (SIGQUIT): the temporary output files, the spooled copy of stdin. Node's default for these signals ends the process
 * without its 'exit' event, so whoever leaves something behind registers a synchronous cleanup here; on the signal
 * every registered cleanup runs (the latest first), then the signal is raised again with Node's default handling:
 * the shell sees 128 + its number (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP), and that a signal ended the
 * command.
 */
import { constants } from 'os';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
type CleanupSignal = (typeof SIGNALS)[number];

const cleanups: Array<() => void> = [];

function onSignal(signal: CleanupSignal): void {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      cleanup();
    } catch {
      // the next one still runs: each cleans up what it can
    }
  }
  // Ended by the signal itself, once cleaned up: a shell then sees 128 + its number (130, 143) and that a signal
  // ended the command, so `for f in *; do telemetry-analyzer detect ...; done` stops at Ctrl-C instead of going on.
  SIGNALS.forEach((each) => process.removeListener(each, onSignal));
  process.kill(process.pid, signal);
  // Only if the signal did not end the process (ignored by its parent): the same code.
  setTimeout(() => process.exit(128 + constants.signals[signal]), 1000).unref();
}

/** Runs `cleanup` if one of SIGNALS ends the process. @returns the function that unregisters it */
export function cleanUpOnInterrupt(cleanup: () => void): () => void {
  if (cleanups.length === 0) {
    SIGNALS.forEach((signal) => process.on(signal, onSignal));
  }
  cleanups.push(cleanup);
  return () => {
    const at = cleanups.indexOf(cleanup);
    if (at >= 0) {
      cleanups.splice(at, 1);
    }
    if (cleanups.length === 0) {
      SIGNALS.forEach((signal) => process.removeListener(signal, onSignal));
    }
  };
}

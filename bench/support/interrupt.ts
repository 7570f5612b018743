/**
 * Ctrl-C during a bench: stop the current load and let the bench's `finally`
 * clean up (database, Redis keys, child processes) instead of dying mid-run.
 */
const listeners = new Set<() => void>();
let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  for (const listener of listeners) listener();
});

export const isInterrupted = () => interrupted;

/** Call `listener` on Ctrl-C (until the returned function is called). */
export function onInterrupt(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * What a run must undo however it ends (server children, pgbench, the proxy, databases, temp
 * dirs): registered as it is created, undone newest first on a normal end, an error or Ctrl-C.
 */
const steps: { name: string; undo: () => Promise<void> }[] = [];

export const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

let stopping = false;
/** True once Ctrl-C (or kill) arrived: the run makes nothing new and stops at its next step. */
export const isStopping = () => stopping;

/** Registers `undo`; the returned function runs it now (once) and unregisters it. */
export function onCleanup(name: string, undo: () => Promise<void>): () => Promise<void> {
  // Made while stopping (a step already under way): undone at once, and that step ends here.
  if (stopping) {
    void undo().catch(() => {});
    throw new Error(`stopping: ${name} undone at once`);
  }
  const step = { name, undo };
  steps.push(step);
  return async () => {
    const i = steps.indexOf(step);
    if (i < 0) return;
    steps.splice(i, 1);
    await undo();
  };
}

let cleaning: Promise<void> | undefined;

/** Undoes every registered step; concurrent callers (the signal, the end of main) share one pass. */
export function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    while (steps.length > 0) {
      const step = steps.pop()!;
      try {
        await step.undo();
      } catch (e) {
        log(`cleanup: ${step.name} failed: ${(e as Error).message}`);
      }
    }
  })().finally(() => (cleaning = undefined));
  return cleaning;
}

/** Ctrl-C or kill: undo everything, then exit 130. A second signal exits at once. */
export function installSignalCleanup(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) process.exit(130);
      stopping = true;
      log(`${signal}: cleaning up (servers, databases, temp files)`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
}

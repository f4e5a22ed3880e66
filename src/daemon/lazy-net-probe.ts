// HTTP and TCP probes with their module (node:http) loaded on the first probe: a daemon whose services probe nothing never loads it.
import type { NetProbe, NetProbePort, ProbeOutcome, ProbeRun } from '../supervisor/ports.js';

type Loaded = NetProbePort;

export function lazyNetProbe(load: () => Promise<Loaded>): NetProbePort {
  let loading: Promise<Loaded> | null = null;
  return {
    run(probe: NetProbe, timeoutMs: number): ProbeRun {
      loading ??= load();
      let inner: ProbeRun | null = null;
      let cancelled = false;
      const result = loading.then(
        (port): Promise<ProbeOutcome> => {
          if (cancelled) return Promise.resolve({ ok: false, error: 'cancelled' });
          inner = port.run(probe, timeoutMs);
          return inner.result;
        },
        (err: unknown): ProbeOutcome => ({ ok: false, error: `network probes unavailable: ${err instanceof Error ? err.message : String(err)}` }),
      );
      return {
        result,
        cancel: () => {
          cancelled = true;
          inner?.cancel();
        },
      };
    },
  };
}

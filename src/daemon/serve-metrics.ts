// /metrics and /healthz when asked for; a failure to serve them is logged, never fatal.
import type { MetricsSources } from '../ipc/metrics-server.js';
import type { Logger } from '../log/logger-types.js';

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** null when off (`listen` null) or when it cannot listen. */
export async function serveMetrics(listen: string | null, sources: MetricsSources, logger: Logger): Promise<MetricsServer | null> {
  if (!listen) return null;
  try {
    // Loaded only when asked for: prom-client is a tenth of the idle footprint.
    const { startMetricsServer } = await import('../ipc/metrics-server.js');
    const metrics = await startMetricsServer(listen, sources);
    logger.info('metrics served', { listen, port: metrics.port });
    return metrics;
  } catch (err) {
    logger.error('cannot serve metrics', { listen, error: (err as Error).message });
    return null;
  }
}

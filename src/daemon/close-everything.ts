// After the report: the log files, the control socket, the HTTP listener and the metrics server closed, in that order.
import type { RpcServer } from '../ipc/server.js';
import type { HttpRpc } from './http-rpc.js';
import type { OutputRouting } from './output-routing.js';
import type { MetricsServer } from './serve-metrics.js';

export async function closeEverything(output: OutputRouting, server: RpcServer, http: HttpRpc, metrics: MetricsServer | null): Promise<void> {
  // One turn for the answers to clients waiting on the shutdown to be written before the socket closes.
  await new Promise((resolve) => setImmediate(resolve));
  await output.close();
  await server.close();
  await http.close();
  await metrics?.close();
}

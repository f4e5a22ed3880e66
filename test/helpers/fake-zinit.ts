// A stand-in for a real zinit 0.2.28 on a unix socket: zinit's methods with zinit's answers, METHOD_NOT_FOUND for every other (zinit-ts's own among them).
import net from 'node:net';

export interface FakeService {
  pid: number;
  /** zinit's Debug form: `Running`, `Success`, `Error(Exited(Pid(12), 3))`… */
  state: string;
  target: 'Up' | 'Down';
  after: Record<string, string>;
  /** What `service_stats` answers for it (pid and name are added). */
  usage?: { memory_usage: number; cpu_usage: number; children: { pid: number; memory_usage: number; cpu_usage: number }[] };
}

export interface FakeZinit {
  readonly socket: string;
  readonly services: Map<string, FakeService>;
  /** Every request, in the order received. */
  readonly calls: { readonly method: string; readonly params: unknown }[];
  /** The log ring, in zinit's line form (`[+] svc: text`). */
  readonly logs: string[];
  /** Appends a line to the ring and sends it to every subscriber whose filter matches, as zinit does. */
  emitLog(line: string): void;
  /** Ends every connection (after what was written to it) and stops listening. */
  close(): Promise<void>;
}

interface Request {
  readonly id?: unknown;
  readonly method?: unknown;
  readonly params?: unknown;
}

const METHOD_NOT_FOUND = { code: -32601, message: 'Method not found' };

/** zinit's filter: the line after its 4-character `[+] ` prefix starts with `name:`. */
function matches(line: string, filter: string | null): boolean {
  return filter === null || line.slice(4).startsWith(`${filter}:`);
}

/** The first positional param, or the named one (zinit reads either). */
function param(params: unknown, name: string, index = 0): unknown {
  if (Array.isArray(params)) return params[index] ?? null;
  if (typeof params === 'object' && params !== null) return (params as Record<string, unknown>)[name] ?? null;
  return null;
}

/** An error answer, thrown by a method and sent as its JSON-RPC error object. */
class Refusal extends Error {
  constructor(readonly object: { readonly code: number; readonly message: string; readonly data?: unknown }) {
    super(object.message);
  }
}

function notFound(action: string, name: string): Refusal {
  return new Refusal({
    code: -32000,
    message: `${action}: service '${name}' not found`,
    data: { code_name: 'ServiceNotFound', service: name, action, retryable: false, cause_chain: null, hint: 'Ensure the service is monitored or the name is correct' },
  });
}

export interface FakeZinitOptions {
  /** Answer a start of a running service with SERVICE_IS_UP, as earlier zinit-ts daemons did (zinit answers null). */
  readonly refuseStartOfRunning?: boolean;
}

export async function startFakeZinit(socket: string, services: Record<string, FakeService> = {}, options: FakeZinitOptions = {}): Promise<FakeZinit> {
  const table = new Map(Object.entries(services));
  const calls: { method: string; params: unknown }[] = [];
  const logs: string[] = [];
  const subscribers = new Set<{ conn: net.Socket; id: number; filter: string | null }>();
  const connections = new Set<net.Socket>();
  let nextSubscription = 1;
  let nextPid = 5000;

  const answer = (req: Request, conn: net.Socket): { result: unknown } | { error: unknown } => {
    const method = String(req.method);
    const name = param(req.params, 'name');
    const svc = typeof name === 'string' ? table.get(name) : undefined;
    const known = (action: string): FakeService => {
      if (svc === undefined) throw notFound(action, String(name));
      return svc;
    };
    switch (method) {
      case 'service_list':
        return { result: Object.fromEntries([...table].map(([n, s]) => [n, s.state])) };
      case 'service_status': {
        const s = known('getting status');
        return { result: { name, pid: s.pid, state: s.state, target: s.target, after: s.after } };
      }
      case 'service_start': {
        const s = known('starting service');
        if (options.refuseStartOfRunning === true && s.pid !== 0) throw new Refusal({ code: -32002, message: `service "${String(name)}" is already running` });
        s.target = 'Up';
        if (s.pid === 0) [s.pid, s.state] = [nextPid++, 'Running'];
        return { result: null };
      }
      case 'service_stop': {
        const s = known('stopping service');
        [s.target, s.pid, s.state] = ['Down', 0, 'Success'];
        return { result: null };
      }
      case 'service_kill':
      case 'service_monitor':
      case 'service_forget':
        known(method);
        return { result: null };
      case 'service_stats': {
        const s = known('getting stats');
        return { result: { name, pid: s.pid, ...(s.usage ?? { memory_usage: 0, cpu_usage: 0, children: [] }) } };
      }
      case 'stream_currentLogs':
        return { result: logs.filter((l) => matches(l, typeof name === 'string' ? name : null)) };
      case 'stream_subscribeLogs': {
        const filter = param(req.params, 'filter');
        const id = nextSubscription++;
        subscribers.add({ conn, id, filter: typeof filter === 'string' ? filter : null });
        return { result: id };
      }
      case 'system_shutdown':
      case 'system_reboot':
        return { result: null };
      case 'rpc.discover':
        return { result: '{"openrpc": "1.2.6"}' };
      default:
        return { error: METHOD_NOT_FOUND };
    }
  };

  const server = net.createServer((conn) => {
    connections.add(conn);
    let buffered = '';
    conn.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim() === '') continue;
        const req = JSON.parse(line) as Request;
        calls.push({ method: String(req.method), params: req.params });
        let reply: { result: unknown } | { error: unknown };
        try {
          reply = answer(req, conn);
        } catch (err) {
          if (!(err instanceof Refusal)) throw err;
          reply = { error: err.object };
        }
        conn.write(`${JSON.stringify({ jsonrpc: '2.0', id: req.id ?? null, ...reply })}\n`);
      }
    });
    conn.on('error', () => conn.destroy());
    conn.on('close', () => {
      connections.delete(conn);
      for (const s of subscribers) if (s.conn === conn) subscribers.delete(s);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, resolve);
  });

  return {
    socket,
    services: table,
    calls,
    logs,
    emitLog(line) {
      logs.push(line);
      for (const s of subscribers) {
        if (matches(line, s.filter)) s.conn.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'stream_subscribeLogs', params: { subscription: s.id, result: line } })}\n`);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) c.end();
        server.close(() => resolve());
      }),
  };
}

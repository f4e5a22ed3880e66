// Picks distinct free TCP ports on 127.0.0.1 in an unusual range, so real servers do not clash with anything installed.
import net from 'node:net';

const LOW = 21_000;
const SPAN = 8_000;
const ATTEMPTS = 200;

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < ATTEMPTS && ports.length < count; i++) {
    const port = LOW + Math.floor(Math.random() * SPAN);
    if (!ports.includes(port) && (await isFree(port))) ports.push(port);
  }
  if (ports.length < count) throw new Error(`found only ${ports.length} of ${count} free ports in ${LOW}-${LOW + SPAN} on 127.0.0.1`);
  return ports;
}

// Speaks to the control socket byte for byte, the way a zinit client or `socat` would.
import net from 'node:net';

/** Sends `lines` (each followed by a newline) and collects `expect` answer lines (bounded). */
export function rawExchange(socket: string, lines: readonly string[], expect: number, timeoutMs = 5000): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const conn = net.createConnection(socket);
    let buf = '';
    const answers: unknown[] = [];
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error(`timed out with ${answers.length}/${expect} answers: ${buf}`));
    }, timeoutMs);
    conn.on('data', (b: Buffer) => {
      buf += b.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        answers.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
      if (answers.length >= expect) {
        clearTimeout(timer);
        conn.end();
        resolve(answers);
      }
    });
    conn.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    conn.on('connect', () => conn.write(lines.map((l) => `${l}\n`).join('')));
  });
}

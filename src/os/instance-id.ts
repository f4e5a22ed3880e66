// A random UUID (version 4) for the daemon's process tag, read from /dev/urandom: node:crypto costs the daemon 2–3 MiB resident for this one call.
import fs from 'node:fs';

const BYTES = 16;

function urandom(): Buffer {
  const buf = Buffer.alloc(BYTES);
  const fd = fs.openSync('/dev/urandom', 'r');
  try {
    let got = 0;
    while (got < BYTES) {
      const n = fs.readSync(fd, buf, got, BYTES - got, null);
      if (n <= 0) throw new Error('/dev/urandom returned no bytes');
      got += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return buf;
}

/** RFC 9562 layout from 16 random bytes. */
export function uuidFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== BYTES) throw new RangeError(`uuidFromBytes expects ${BYTES} bytes, got ${bytes.length}`);
  const b = Buffer.from(bytes);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A fresh random UUID; node:crypto only where /dev/urandom cannot be read (an init before /dev is mounted). */
export async function randomInstanceId(read: () => Uint8Array = urandom): Promise<string> {
  try {
    return uuidFromBytes(read());
  } catch {
    const { randomUUID } = await import('node:crypto');
    return randomUUID();
  }
}

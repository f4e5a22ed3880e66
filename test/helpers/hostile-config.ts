// Writes a config directory of good services beside hundreds of hostile files (huge, deep, aliased, devices, FIFOs, garbage).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface HostileDir {
  /** Stems of the good services, each of which must reach Running. */
  readonly good: readonly string[];
  /** Stem of every bad file (one entry per service name the loader must report). */
  readonly bad: readonly string[];
  /** Closes the listening socket that stands in the directory as a file. */
  close(): Promise<void>;
}

export interface HostileOptions {
  /** How many times each cheap kind is repeated (with variations); the default gives several hundred files. */
  readonly repeat?: number;
  /** Files just under the size cap that parse in full (each costs a full parse of about 1 MiB). */
  readonly nearCap?: number;
}

const MiB = 1024 * 1024;

/** Good services: a probed one, one that depends on it, and a plain one. */
export const GOOD_FILES: Readonly<Record<string, string>> = {
  'good-db.yaml': 'exec: sleep 100000\ntest: sh -c "exit 0"\n',
  'good-web.yaml': 'exec: sleep 100001\nafter: [good-db]\nenv: {MODE: web}\n',
  'good-plain.yml': 'exec: sleep 100002\nsignal: {stop: SIGINT}\n',
};

/** A small deterministic PRNG, so a failing run can be reproduced byte for byte. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function envLines(n: number, from = 0): string {
  const out: string[] = [];
  for (let i = from; i < from + n; i += 1) out.push(`  K${i}: v${i}\n`);
  return out.join('');
}

/** A file of `keys` env entries, for the parse-time measurements. */
export function manyKeysFile(keys: number): string {
  return `exec: sleep 1000\nenv:\n${envLines(keys)}`;
}

function billionLaughs(levels: number, width: number): string {
  let s = `exec: sleep 1000\nl0: &l0 [${Array(width).fill('"lol"').join(', ')}]\n`;
  for (let i = 1; i <= levels; i += 1) s += `l${i}: &l${i} [${Array(width).fill(`*l${i - 1}`).join(', ')}]\n`;
  return s;
}

/** Writes the good services and the hostile files into `dir` (created if missing). */
export async function writeHostileDir(dir: string, opts: HostileOptions = {}): Promise<HostileDir> {
  const repeat = opts.repeat ?? 20;
  const nearCap = opts.nearCap ?? 1;
  fs.mkdirSync(dir, { recursive: true });
  const rand = prng(0x5eed);
  const bad: string[] = [];
  const write = (stem: string, content: string | Buffer, ext = '.yaml'): void => {
    fs.writeFileSync(path.join(dir, stem + ext), content);
    bad.push(stem);
  };

  for (const [file, text] of Object.entries(GOOD_FILES)) fs.writeFileSync(path.join(dir, file), text);
  const good = Object.keys(GOOD_FILES).map((f) => f.replace(/\.ya?ml$/, ''));

  // Over the size cap: real content, sparse giants, and files with hundreds of thousands of keys.
  for (let i = 0; i < 3; i += 1) write(`huge-text-${i}`, `exec: sleep 1\n${'# padding padding padding padding\n'.repeat((3 * MiB) / 34)}`);
  for (let i = 0; i < 5; i += 1) {
    const file = path.join(dir, `huge-sparse-${i}.yaml`);
    fs.writeFileSync(file, 'exec: sleep 1\n');
    fs.truncateSync(file, (i + 1) * 1024 * MiB);
    bad.push(`huge-sparse-${i}`);
  }
  for (let i = 0; i < 3; i += 1) write(`keys-200k-${i}`, manyKeysFile(200_000));
  // Just under the cap: parsed in full, with one duplicate key near the end.
  for (let i = 0; i < nearCap; i += 1) write(`keys-near-cap-${i}`, `${manyKeysFile(55_000)}  K7: again\n`);

  // Nesting, flow and block, closed and not.
  for (let i = 0; i < repeat; i += 1) {
    const d = 20_000 + i * 5_000;
    write(`deep-flow-seq-${i}`, `exec: sleep 1\nenv: ${'['.repeat(d)}${']'.repeat(d)}\n`);
    write(`deep-flow-map-${i}`, `exec: sleep 1\nenv: ${'{a: '.repeat(d / 4)}1${'}'.repeat(d / 4)}\n`);
    write(`deep-unclosed-${i}`, `exec: sleep 1\nafter: ${'['.repeat(d)}\n`);
    write(`deep-block-seq-${i}`, `${'- '.repeat(d)}x\n`);
    write(`deep-flow-quoted-${i}`, `exec: sleep 1\nenv: ${'["]", '.repeat(d / 6)}1${']'.repeat(d / 6)}\n`);
  }
  {
    let s = '';
    for (let i = 0; i < 1400; i += 1) s += `${' '.repeat(i)}a:\n`;
    write('deep-block-map', s);
    write('deep-mixed', `exec: sleep 1\nenv:\n${Array.from({ length: 40 }, (_, i) => `${'  '.repeat(i + 1)}k${i}:\n`).join('')}${'  '.repeat(41)}v: [[[[[[[[1]]]]]]]]\n`);
  }

  // Aliases: billion laughs, thousands of aliases, a cycle, aliased maps read as env.
  for (let i = 0; i < repeat; i += 1) {
    write(`alias-laughs-${i}`, billionLaughs(9 + (i % 3), 9 + (i % 5)));
    write(`alias-many-${i}`, `exec: &cmd sleep 1\nafter: [${Array(5_000 + i * 100).fill('*cmd').join(', ')}]\n`);
    write(`alias-env-${i}`, `exec: sleep 1\nx: &m\n${envLines(200 + i * 10)}env: *m\npost_stop: *m\ntest: *m\n${Array.from({ length: 200 }, (_, j) => `k${j}: *m\n`).join('')}`);
  }
  write('alias-cycle', 'exec: sleep 1\nenv: &e {A: *e, B: [*e, *e]}\nafter: &a [*a]\n');

  // Duplicate keys, small and spread out.
  for (let i = 0; i < repeat; i += 1) {
    write(`dup-exec-${i}`, `exec: sleep 1\nlog: ring\nexec: sleep ${i}\n`);
    write(`dup-env-${i}`, `exec: sleep 1\nenv:\n${envLines(200 + i * 10)}  K${i}: dup\n`);
    write(`dup-flow-${i}`, `exec: sleep 1\nenv: {A: 1, B: 2, A: 3}\nsignal: {stop: TERM, stop: INT}\n`);
  }

  // Not regular files: FIFOs, devices through symlinks, directories, a socket, broken links.
  for (let i = 0; i < 5; i += 1) {
    execFileSync('mkfifo', [path.join(dir, `fifo-${i}.yaml`)]);
    bad.push(`fifo-${i}`);
  }
  for (const dev of ['zero', 'urandom', 'null', 'full', 'random', 'tty']) {
    fs.symlinkSync(`/dev/${dev}`, path.join(dir, `dev-${dev}.yaml`));
    bad.push(`dev-${dev}`);
  }
  for (let i = 0; i < 5; i += 1) {
    fs.mkdirSync(path.join(dir, `dir-${i}.yaml`));
    bad.push(`dir-${i}`);
  }
  fs.symlinkSync('/', path.join(dir, 'link-root.yml'));
  fs.symlinkSync(path.join(dir, 'nowhere.yaml'), path.join(dir, 'dangling.yaml'));
  fs.symlinkSync(path.join(dir, 'loop-b.yaml'), path.join(dir, 'loop-a.yaml'));
  fs.symlinkSync(path.join(dir, 'loop-a.yaml'), path.join(dir, 'loop-b.yaml'));
  bad.push('link-root', 'dangling', 'loop-a', 'loop-b');
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path.join(dir, 'socket.yaml'), resolve);
  });
  bad.push('socket');

  // Odd names: each is refused for its name, whatever it holds.
  const oddNames = ['with space', 'tab\tname', 'new\nline', 'ünïcödé', '.hidden', '..', 'back\\slash', 'ctl\x01char', 'quote"name', 'semi;colon', 'star*', 'dollar$HOME'];
  for (const n of oddNames) write(n, 'exec: sleep 1\n');
  // A valid name at the length limit of a file name, with a bad value (an unknown key alone would only warn).
  write(`long-${'x'.repeat(240)}`, 'exec: sleep 1\nbogus: 1\noneshot: maybe\n');
  write('-dash', 'exec: sleep 1\nexec: twice\n');

  // Bytes that are not YAML text: random binary, invalid UTF-8, NUL and control bytes, punctuation soup.
  for (let i = 0; i < repeat * 2; i += 1) {
    const bytes = Buffer.alloc(1024 + Math.floor(rand() * 64 * 1024));
    for (let j = 0; j < bytes.length; j += 1) bytes[j] = Math.floor(rand() * 256);
    write(`garbage-bin-${i}`, bytes);
  }
  for (let i = 0; i < repeat; i += 1) {
    write(`bad-utf8-${i}`, Buffer.concat([Buffer.from(`exec: sleep 1\nenv: {A: caf`), Buffer.from([0xe9 - (i % 3), 0x28 + i]), Buffer.from('}\n')]));
    write(`nul-byte-${i}`, `exec: sleep 1\nenv: {A: "x\0y"}\n${'#'.repeat(i)}`);
    write(`ctl-byte-${i}`, `exec: sleep ${String.fromCharCode(1 + (i % 8))}\n`);
    const soup = '[]{},:-?#&*!|>\'"%@` \n\tabc';
    let text = '';
    for (let j = 0; j < 4_000; j += 1) text += soup[Math.floor(rand() * soup.length)] ?? '';
    write(`soup-${i}`, text);
  }
  write('surrogate', Buffer.from([0x65, 0x78, 0x65, 0x63, 0x3a, 0x20, 0xed, 0xa0, 0x80, 0x0a]));
  write('overlong', Buffer.from([0x65, 0x78, 0x65, 0x63, 0x3a, 0x20, 0xc0, 0xaf, 0x0a]));

  // Thousands of problems in one file, and one very long unknown key.
  write('many-unknown', Array.from({ length: 50_000 }, (_, i) => `unknown_${i}: 1\n`).join(''));
  write('many-bad-after', `exec: sleep 1\nafter: [${Array.from({ length: 40_000 }, (_, i) => `"bad/${i}"`).join(', ')}]\n`);
  write('long-key', `exec: sleep 1\n${'k'.repeat(900_000)}: 1\n`);
  write('empty', '');
  write('two-docs', 'exec: sleep 1\n---\nexec: sleep 2\n');

  return {
    good,
    bad,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

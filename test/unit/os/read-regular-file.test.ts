// readRegularFile on real files: FIFOs, devices, directories and sockets are refused without a read, sizes are capped.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { readRegularFile, type ReadOutcome } from '../../../src/os/read-regular-file.js';
import { within } from './bounded.js';

const CAP = 4096;
let dir: string;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zinit-read-'));
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every read here must answer at once: a hang (a FIFO read, /dev/zero to the end) is the failure. */
function read(file: string, cap = CAP): Promise<ReadOutcome> {
  return within(readRegularFile(file, cap), 5000, `readRegularFile(${file})`);
}

function refusal(outcome: ReadOutcome): unknown {
  assert.equal(outcome.ok, false, 'expected a refusal');
  return outcome.ok ? null : outcome.refusal;
}

void describe('readRegularFile', () => {
  void test('a regular file is read whole, up to and including the cap', async () => {
    const file = path.join(dir, 'exact.yaml');
    fs.writeFileSync(file, 'x'.repeat(CAP));
    const outcome = await read(file);
    assert.ok(outcome.ok);
    assert.equal(outcome.bytes.length, CAP);
  });

  void test('one byte over the cap is refused with the size', async () => {
    const file = path.join(dir, 'over.yaml');
    fs.writeFileSync(file, 'x'.repeat(CAP + 1));
    assert.deepEqual(refusal(await read(file)), { kind: 'too-large', size: CAP + 1 });
  });

  void test('a sparse 64 GiB file is refused from its size, without reading it', async () => {
    const file = path.join(dir, 'sparse.yaml');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, 64 * 1024 ** 3);
    assert.deepEqual(refusal(await read(file, 1024 * 1024)), { kind: 'too-large', size: 64 * 1024 ** 3 });
  });

  void test('a FIFO is refused at once, with or without a writer', async () => {
    const fifo = path.join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    assert.deepEqual(refusal(await read(fifo)), { kind: 'not-regular', what: 'a FIFO (named pipe)', linkTarget: null });
  });

  void test('symbolic links to /dev/zero, /dev/urandom and /dev/null are refused as devices, naming the target', async () => {
    for (const dev of ['zero', 'urandom', 'null']) {
      const link = path.join(dir, `dev-${dev}.yaml`);
      fs.symlinkSync(`/dev/${dev}`, link);
      assert.deepEqual(refusal(await read(link)), { kind: 'not-regular', what: 'a character device', linkTarget: `/dev/${dev}` });
    }
  });

  void test('a directory and a listening socket are refused', async () => {
    const sub = path.join(dir, 'folder.yaml');
    fs.mkdirSync(sub);
    assert.deepEqual(refusal(await read(sub)), { kind: 'not-regular', what: 'a directory', linkTarget: null });
    const sock = path.join(dir, 'sock.yaml');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      assert.deepEqual(refusal(await read(sock)), { kind: 'not-regular', what: 'a socket', linkTarget: null });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  void test('a dangling link and a link loop say what is wrong with the link', async () => {
    const dangling = path.join(dir, 'dangling.yaml');
    fs.symlinkSync(path.join(dir, 'nothing-here'), dangling);
    assert.deepEqual(refusal(await read(dangling)), { kind: 'dangling-link', linkTarget: path.join(dir, 'nothing-here') });
    fs.symlinkSync(path.join(dir, 'loop-2.yaml'), path.join(dir, 'loop-1.yaml'));
    fs.symlinkSync(path.join(dir, 'loop-1.yaml'), path.join(dir, 'loop-2.yaml'));
    assert.deepEqual(refusal(await read(path.join(dir, 'loop-1.yaml'))), { kind: 'link-loop' });
  });

  void test('a file that reports no size but holds more than the cap is cut at cap + 1 bytes', async () => {
    // /proc files report size 0 whatever they hold; /proc/self/maps of a Node process is tens of KiB.
    const outcome = await read('/proc/self/maps', 256);
    assert.deepEqual(refusal(outcome), { kind: 'too-large', size: null });
    const whole = await read('/proc/self/maps', 1024 * 1024);
    assert.ok(whole.ok && whole.bytes.length > 256, 'the same file is read whole under a larger cap');
  });
});

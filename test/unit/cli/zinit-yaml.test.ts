// --yaml prints what zinit's CLI prints: serde_yaml 0.8's document, yaml-rust's layout and quoting, ryu's f32 digits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatF32, zinitYaml } from '../../../src/cli/zinit-yaml.js';
import { listDocument, statsDocument, statusDocument } from '../../../src/cli/commands/yaml-views.js';

test('list: a `---` line, one `name: state` line each, a state with a comma double-quoted; no service is `{}`', () => {
  assert.equal(zinitYaml(listDocument({ web: 'Running', db: 'Error(Exited(Pid(12), 3))', job: 'Success' })), '---\nweb: Running\ndb: "Error(Exited(Pid(12), 3))"\njob: Success\n');
  assert.equal(zinitYaml(listDocument({ w: 'Error(Signaled(Pid(5), SIGTERM, false))' })), '---\nw: "Error(Signaled(Pid(5), SIGTERM, false))"\n');
  assert.equal(zinitYaml(listDocument({})), '---\n{}\n');
});

test("status: zinit's five fields in its order, the extras dropped; after as a nested block, or {} when empty", () => {
  const answer = { name: 'app', pid: 42, state: 'Running', target: 'Up', after: { db: 'Running', cache: 'Blocked' }, exit: null, restarts: 3, reason: null, oneshot: false };
  assert.equal(zinitYaml(statusDocument(answer)), '---\nname: app\npid: 42\nstate: Running\ntarget: Up\nafter:\n  db: Running\n  cache: Blocked\n');
  assert.equal(zinitYaml(statusDocument({ ...answer, pid: 0, state: 'Success', target: 'Down', after: {} })), '---\nname: app\npid: 0\nstate: Success\ntarget: Down\nafter: {}\n');
});

test('stats: cpu_usage as an f32, children as a block list of compact maps, or [] when there are none', () => {
  const stats = {
    name: 'web',
    pid: 10,
    memory_usage: 1048576,
    cpu_usage: 12.345678,
    children: [
      { pid: 11, memory_usage: 2048, cpu_usage: 0 },
      { pid: 12, memory_usage: 4096, cpu_usage: 0.1 },
    ],
    tree: { memoryBytes: 1054720, cpuPercent: 12.4, processes: 3 },
  };
  assert.equal(
    zinitYaml(statsDocument(stats)),
    '---\nname: web\npid: 10\nmemory_usage: 1048576\ncpu_usage: 12.345678\nchildren:\n  - pid: 11\n    memory_usage: 2048\n    cpu_usage: 0.0\n  - pid: 12\n    memory_usage: 4096\n    cpu_usage: 0.1\n',
  );
  assert.equal(zinitYaml(statsDocument({ ...stats, cpu_usage: 0, children: [] })), '---\nname: web\npid: 10\nmemory_usage: 1048576\ncpu_usage: 0.0\nchildren: []\n');
});

test('f32s as ryu writes them: shortest digits of the f32, fixed notation from 1e-6 to below 1e13, exponent form beyond', () => {
  const cases: [number, string][] = [
    [0, '0.0'],
    [-0, '-0.0'],
    [1, '1.0'],
    [100, '100.0'],
    [-2.5, '-2.5'],
    [0.1, '0.1'],
    [1 / 3, '0.33333334'],
    [12.345678, '12.345678'],
    [123456789, '123456790.0'],
    [1e12, '1000000000000.0'],
    [1e13, '1e13'],
    [1.5e13, '1.5e13'],
    [1e20, '1e20'],
    [0.000001, '0.000001'],
    [0.0000012, '0.0000012'],
    [1.5e-7, '1.5e-7'],
    [1e-7, '1e-7'],
    [3.4e38, '3.4e38'],
    [1e39, '.inf'],
    [-1e39, '-.inf'],
    [Number.NaN, '.nan'],
  ];
  for (const [value, text] of cases) assert.equal(formatF32(value), text, String(value));
});

test("strings are quoted where yaml-rust quotes them, and only there, with JSON-like escapes", () => {
  const line = (s: string): string => zinitYaml(new Map([['k', s]])).slice('---\nk: '.length, -1);
  const plain = ['Running', 'web-1', 'a b', 'y', 'n', 'café', 'Up', 'x.y', 'bell\x07', 'a-b_c', '1a'];
  for (const s of plain) assert.equal(line(s), s, JSON.stringify(s));
  const quoted: [string, string][] = [
    ['', '""'],
    [' lead', '" lead"'],
    ['trail ', '"trail "'],
    ['-x', '"-x"'],
    ['*star', '"*star"'],
    ['@at', '"@at"'],
    ['a:b', '"a:b"'],
    ['a#b', '"a#b"'],
    ['[x]', '"[x]"'],
    ['{x}', '"{x}"'],
    ['a,b', '"a,b"'],
    ["it's", '"it\'s"'],
    ['q"uote', '"q\\"uote"'],
    ['back\\slash', '"back\\\\slash"'],
    ['tab\there', '"tab\\there"'],
    ['two\nlines', '"two\\nlines"'],
    ['cr\r', '"cr\\r"'],
    ['nul\x00', '"nul\\u0000"'],
    ['esc\x1b,', '"esc\\u001b,"'],
    ['ff\x0c,', '"ff\\f,"'],
    ['del\x7f,', '"del\\u007f,"'],
    ['true', '"true"'],
    ['False', '"False"'],
    ['yes', '"yes"'],
    ['OFF', '"OFF"'],
    ['null', '"null"'],
    ['~', '"~"'],
    ['.hidden', '".hidden"'],
    ['0x1f', '"0x1f"'],
    ['123', '"123"'],
    ['-5', '"-5"'],
    ['+5', '"+5"'],
    ['1.5', '"1.5"'],
    ['1.', '"1."'],
    ['1e5', '"1e5"'],
    ['2E-3', '"2E-3"'],
    ['inf', '"inf"'],
    ['Infinity', '"Infinity"'],
    ['NaN', '"NaN"'],
  ];
  for (const [s, text] of quoted) assert.equal(line(s), text, JSON.stringify(s));
});

test('keys are quoted by the same rule as values', () => {
  assert.equal(zinitYaml(listDocument({ '123': 'Running', 'on': 'Success' })), '---\n"123": Running\n"on": Success\n');
});

// parseServiceFile on the resource limit keys: memory_max, memory_high, pids_max, cpu_weight and cpu_max.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SERVICE_KEYS, ZINIT_KEYS } from '../../../src/config/known-keys.js';
import { parseServiceFile } from '../../../src/config/parse-service.js';
import { renderService } from '../../../src/config/render-service.js';
import { strictParse } from '../../../src/config/strict-load.js';
import { suggest } from '../../../src/config/suggest.js';
import { NO_LIMITS, type ConfigError, type ServiceConfig, type ServiceLimits } from '../../../src/config/types.js';

const FILE = '/etc/zinit/svc.yaml';
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

function load(text: string): ServiceConfig {
  const { config, errors } = strictParse(parseServiceFile('svc', text, FILE));
  assert.deepEqual(errors, []);
  assert.ok(config);
  return config;
}

function limitsOf(lines: string): ServiceLimits {
  return load(`exec: app\n${lines}\n`).limits;
}

/** Every error of a file, as [line, column, message]. */
function errorsOf(text: string): [number, number, string][] {
  const { config, errors } = strictParse(parseServiceFile('svc', text, FILE));
  assert.equal(config, null, 'a file with errors must not yield a config');
  return errors.map((e: ConfigError) => [e.line, e.column, e.message]);
}

void describe('parseServiceFile: limits accepted', () => {
  void test('no limit key: no limits', () => {
    assert.deepEqual(limitsOf('log: ring'), NO_LIMITS);
  });

  const memory: [string, number][] = [
    ['512M', 512 * MiB],
    ['1G', GiB],
    ['1.5G', 1.5 * GiB],
    ['64K', 64 * 1024],
    ['4K', 4096],
    ['256MiB', 256 * MiB],
    ['512MB', 512 * MiB],
    ['"2G"', 2 * GiB],
    ['4096', 4096],
    ['536870912', 512 * MiB],
    ['5000', 5000],
  ];
  for (const [written, bytes] of memory) {
    void test(`memory_max: ${written} and memory_high: ${written}`, () => {
      assert.deepEqual(limitsOf(`memory_max: ${written}`), { ...NO_LIMITS, memoryMax: bytes });
      assert.deepEqual(limitsOf(`memory_high: ${written}`), { ...NO_LIMITS, memoryHigh: bytes });
    });
  }

  void test('pids_max: a whole number of at least 1', () => {
    assert.equal(limitsOf('pids_max: 1').pidsMax, 1);
    assert.equal(limitsOf('pids_max: 512').pidsMax, 512);
    assert.equal(limitsOf('pids_max: 4194304').pidsMax, 4_194_304);
  });

  void test('cpu_weight: 1 to 10000', () => {
    assert.equal(limitsOf('cpu_weight: 1').cpuWeight, 1);
    assert.equal(limitsOf('cpu_weight: 100').cpuWeight, 100);
    assert.equal(limitsOf('cpu_weight: 10000').cpuWeight, 10_000);
  });

  const cpu: [string, number][] = [
    ['50%', 50_000],
    ['150%', 150_000],
    ['250.5%', 250_500],
    ['1%', 1000],
    ['100%', 100_000],
    ['33.3333%', 33_333],
    ['0.9995%', 1000],
    ['"75%"', 75_000],
    ['12.5 %', 12_500],
    ['6400%', 6_400_000],
  ];
  for (const [written, quotaUs] of cpu) {
    void test(`cpu_max: ${written}`, () => {
      assert.deepEqual(limitsOf(`cpu_max: ${written}`).cpuMax, { quotaUs, periodUs: 100_000 });
    });
  }

  void test('max lifts memory_max, memory_high, pids_max and cpu_max: no limit', () => {
    assert.deepEqual(limitsOf('memory_max: max\nmemory_high: max\npids_max: max\ncpu_max: max'), NO_LIMITS);
    assert.deepEqual(limitsOf('memory_max: "max"'), NO_LIMITS);
  });

  void test('all five together', () => {
    assert.deepEqual(limitsOf('memory_max: 1G\nmemory_high: 768M\npids_max: 256\ncpu_weight: 200\ncpu_max: 150%'), {
      memoryMax: GiB,
      memoryHigh: 768 * MiB,
      pidsMax: 256,
      cpuWeight: 200,
      cpuMax: { quotaUs: 150_000, periodUs: 100_000 },
    });
  });

  void test('an empty key counts as not set', () => {
    assert.deepEqual(limitsOf('memory_max:\ncpu_max:'), NO_LIMITS);
  });
});

void describe('parseServiceFile: limits refused', () => {
  const size = 'a whole number of bytes or a string such as "10K", "10M" or "1G" (powers of 1024)';
  const memoryFix = (key: string, example: string): string => `write e.g. ${key}: ${example}, or ${key}: max for no limit`;
  const pages = 'the kernel counts memory in whole pages of 4096 bytes, so a smaller limit is no memory at all and';
  const pidsFix = 'write e.g. pids_max: 512, or pids_max: max for no limit';
  const weightFix = 'write e.g. cpu_weight: 200 for twice the CPU of a service at the default 100 when they compete, or cpu_weight: 50 for half';
  const weight = (found: string): string => `cpu_weight must be a whole number from 1 to 10000, the kernel's range, got ${found}; ${weightFix}`;
  const cpuForm = (found: string): string => `cpu_max must be a percentage of one CPU such as 50% or 150%, or max for no limit, got ${found}`;
  const cpuExample = 'write e.g. cpu_max: 50% for half a CPU, or cpu_max: 150% for one and a half';
  const bare = (found: string): string => `${cpuForm(found)}: a number needs its % to say it is a share of one CPU; ${cpuExample}`;
  const tooLittleCpu = (found: string): string =>
    `cpu_max must be at least 1% of one CPU, got ${found}: the kernel takes no less than 1000 µs of CPU time in each 100000 µs; write e.g. cpu_max: 1%, or cpu_max: max for no limit`;

  const refused: [string, number, string][] = [
    ['memory_max: 100', 13, `memory_max must be at least 4096 bytes (4K), got number 100: ${pages} kills the service as soon as it starts; ${memoryFix('memory_max', '512M')}`],
    ['memory_max: 0', 13, `memory_max must be at least 4096 bytes (4K), got number 0: ${pages} kills the service as soon as it starts; ${memoryFix('memory_max', '512M')}`],
    ['memory_max: 4095', 13, `memory_max must be at least 4096 bytes (4K), got number 4095: ${pages} kills the service as soon as it starts; ${memoryFix('memory_max', '512M')}`],
    ['memory_max: 3.9K', 13, `memory_max must be at least 4096 bytes (4K), got string "3.9K": ${pages} kills the service as soon as it starts; ${memoryFix('memory_max', '512M')}`],
    ['memory_high: 1K', 14, `memory_high must be at least 4096 bytes (4K), got string "1K": ${pages} throttles the service from its first page; ${memoryFix('memory_high', '384M')}`],
    ['memory_max: lots', 13, `memory_max must be ${size}, got string "lots"; ${memoryFix('memory_max', '512M')}`],
    ['memory_max: 1T', 13, `memory_max must be ${size}, got string "1T"; ${memoryFix('memory_max', '512M')}`],
    ['memory_max: -1', 13, `memory_max must be ${size}, got number -1; ${memoryFix('memory_max', '512M')}`],
    ['memory_max: infinity', 13, `memory_max must be ${size}, got string "infinity"; ${memoryFix('memory_max', '512M')}`],
    ['memory_max: MAX', 13, `memory_max must be ${size}, got string "MAX"; ${memoryFix('memory_max', '512M')}`],
    ['memory_max: true', 13, `memory_max must be ${size}, got boolean true; ${memoryFix('memory_max', '512M')}`],
    ['memory_high: [1G]', 14, `memory_high must be ${size}, got a list; ${memoryFix('memory_high', '384M')}`],
    ['pids_max: 0', 11, `pids_max must be at least 1, got number 0: it counts the processes and threads the service may have, and with none it cannot even start; ${pidsFix}`],
    ['pids_max: -1', 11, `pids_max must be a whole number of processes and threads, or max for no limit, got number -1; ${pidsFix}`],
    ['pids_max: 1.5', 11, `pids_max must be a whole number of processes and threads, or max for no limit, got number 1.5; ${pidsFix}`],
    ['pids_max: "100"', 11, `pids_max must be a whole number of processes and threads, or max for no limit, got string "100"; ${pidsFix}`],
    ['pids_max: unlimited', 11, `pids_max must be a whole number of processes and threads, or max for no limit, got string "unlimited"; ${pidsFix}`],
    ['pids_max: 4194305', 11, 'pids_max must be at most 4194304, the most processes the kernel hands out, got number 4194305; write pids_max: max for no limit'],
    ['cpu_weight: 0', 13, weight('number 0')],
    ['cpu_weight: 10001', 13, weight('number 10001')],
    ['cpu_weight: 1.5', 13, weight('number 1.5')],
    ['cpu_weight: -5', 13, weight('number -5')],
    ['cpu_weight: high', 13, weight('string "high"')],
    ['cpu_weight: "100"', 13, weight('string "100"')],
    ['cpu_weight: max', 13, `cpu_weight must be a whole number from 1 to 10000, the kernel's range, got string "max": a weight is a share, not a limit, so it has no max; remove the key for the default, or ${weightFix}`],
    ['cpu_max: 50', 10, bare('number 50')],
    ['cpu_max: 1.5', 10, bare('number 1.5')],
    ['cpu_max: "50"', 10, bare('string "50"')],
    ['cpu_max: 0.5%', 10, tooLittleCpu('string "0.5%"')],
    ['cpu_max: 0%', 10, tooLittleCpu('string "0%"')],
    ['cpu_max: .5%', 10, tooLittleCpu('string ".5%"')],
    ['cpu_max: 99999999999%', 10, 'cpu_max must be at most 17592186044%, the kernel\'s largest quota, got string "99999999999%"; write cpu_max: max for no limit'],
    ['cpu_max: -50%', 10, `${cpuForm('string "-50%"')}; ${cpuExample}`],
    ['cpu_max: half', 10, `${cpuForm('string "half"')}; ${cpuExample}`],
    ['cpu_max: 50 percent', 10, `${cpuForm('string "50 percent"')}; ${cpuExample}`],
    ['cpu_max: 500m', 10, `${cpuForm('string "500m"')}; ${cpuExample}`],
    ['cpu_max: true', 10, `${cpuForm('boolean true')}; ${cpuExample}`],
    ['cpu_max: 50000 100000', 10, `${cpuForm('string "50000 100000"')}, the kernel's cpu.max form in microseconds; write it as a percentage: cpu_max: 50%`],
    ['cpu_max: 150000 100000', 10, `${cpuForm('string "150000 100000"')}, the kernel's cpu.max form in microseconds; write it as a percentage: cpu_max: 150%`],
    ['cpu_max: 1000 3000', 10, `${cpuForm('string "1000 3000"')}, the kernel's cpu.max form in microseconds; write it as a percentage: cpu_max: 33.33%`],
    ['cpu_max: {quota: 50000}', 10, `${cpuForm('a mapping')}; ${cpuExample}`],
  ];
  for (const [line, column, message] of refused) {
    void test(line, () => {
      assert.deepEqual(errorsOf(`exec: app\n${line}\n`), [[2, column, message]]);
    });
  }

  void test('each bad key is reported, the good ones among them cost nothing', () => {
    assert.deepEqual(errorsOf('exec: app\nmemory_max: 1\npids_max: 10\ncpu_weight: 0\ncpu_max: 50\n').map(([line]) => line), [2, 4, 5]);
  });

  void test('the sizes memory_max takes are the sizes log_max_size takes', () => {
    assert.equal(limitsOf('memory_max: 10MB').memoryMax, load('exec: app\nlog_max_size: 10MB\n').logMaxSize);
  });
});

void describe('parseServiceFile: memory_high and memory_max together', () => {
  void test('memory_high at or below memory_max loads', () => {
    assert.deepEqual(limitsOf('memory_max: 1G\nmemory_high: 1024M'), { ...NO_LIMITS, memoryMax: GiB, memoryHigh: GiB });
    assert.deepEqual(limitsOf('memory_high: 768M\nmemory_max: 1G'), { ...NO_LIMITS, memoryMax: GiB, memoryHigh: 768 * MiB });
  });

  void test('memory_high above memory_max names both as written and says which to lower', () => {
    assert.deepEqual(errorsOf('exec: app\nmemory_max: 512M\nmemory_high: 1G\n'), [
      [3, 14, 'memory_high (1G) is above memory_max (512M): the service would be killed at memory_max before memory_high ever slowed it down; lower memory_high to 512M or less, or raise memory_max'],
    ]);
    assert.deepEqual(errorsOf('exec: app\nmemory_high: 8192\nmemory_max: 4096\n'), [
      [2, 14, 'memory_high (8192) is above memory_max (4096): the service would be killed at memory_max before memory_high ever slowed it down; lower memory_high to 4096 or less, or raise memory_max'],
    ]);
  });

  void test('max on either side is no limit, so nothing to compare', () => {
    assert.deepEqual(limitsOf('memory_max: max\nmemory_high: 1G'), { ...NO_LIMITS, memoryHigh: GiB });
    assert.deepEqual(limitsOf('memory_max: 1G\nmemory_high: max'), { ...NO_LIMITS, memoryMax: GiB });
  });

  void test('a memory key wrong on its own is not judged again by the rule', () => {
    assert.equal(errorsOf('exec: app\nmemory_max: 1\nmemory_high: 1G\n').length, 1);
    assert.equal(errorsOf('exec: app\nmemory_max: 1G\nmemory_high: huge\n').length, 1);
  });
});

void describe('limit keys: names and hints', () => {
  void test('they are zinit-ts extensions, not zinit keys', () => {
    for (const key of ['memory_max', 'memory_high', 'pids_max', 'cpu_weight', 'cpu_max']) {
      assert.ok(SERVICE_KEYS.includes(key as never), key);
      assert.ok(!(ZINIT_KEYS as readonly string[]).includes(key), key);
    }
  });

  const hints: [string, string][] = [
    ['MemoryMax', 'memory_max'],
    ['memory_limit', 'memory_max'],
    ['memoryLimit', 'memory_max'],
    ['mem_limit', 'memory_max'],
    ['memory', 'memory_max'],
    ['memory-max', 'memory_max'],
    ['memory_mx', 'memory_max'],
    ['MemoryHigh', 'memory_high'],
    ['memory_hihg', 'memory_high'],
    ['TasksMax', 'pids_max'],
    ['tasks_max', 'pids_max'],
    ['pids_limit', 'pids_max'],
    ['pids', 'pids_max'],
    ['pid_max', 'pids_max'],
    ['CPUWeight', 'cpu_weight'],
    ['cpu_shares', 'cpu_weight'],
    ['CpuShares', 'cpu_weight'],
    ['CPUQuota', 'cpu_max'],
    ['cpu_quota', 'cpu_max'],
    ['cpus', 'cpu_max'],
    ['cpu_limit', 'cpu_max'],
    ['cpu', 'cpu_max'],
  ];
  for (const [word, meant] of hints) {
    void test(`${word} → ${meant}`, () => {
      assert.equal(suggest(word, SERVICE_KEYS), meant);
    });
  }

  void test('an unknown limit name in a file is a warning with its hint, which check refuses', () => {
    const parsed = parseServiceFile('svc', 'exec: app\nMemoryMax: 512M\ncpus: 1.5\n', FILE);
    assert.ok(parsed.config, 'zinit ignores unknown keys, so the file loads');
    assert.deepEqual(parsed.config.limits, NO_LIMITS);
    assert.deepEqual(parsed.warnings.map((w) => [w.line, w.message, w.code]), [
      [2, 'unknown key "MemoryMax"; did you mean memory_max?', 'unknown-key'],
      [3, 'unknown key "cpus"; did you mean cpu_max?', 'unknown-key'],
    ]);
    assert.equal(strictParse(parsed).config, null);
  });
});

void describe('renderService: limits', () => {
  void test('written as given and read back to the same limits', () => {
    const r = renderService('svc', { exec: 'app', memory_max: '512M', memory_high: 402653184, pids_max: 'max', cpu_weight: 200, cpu_max: '50%' }, FILE);
    assert.deepEqual(r.errors, []);
    const lines = r.text.split('\n');
    for (const line of ['memory_max: 512M', 'memory_high: 402653184', 'pids_max: max', 'cpu_weight: 200', 'cpu_max: 50%']) {
      assert.ok(lines.includes(line), `${line} in\n${r.text}`);
    }
    assert.deepEqual(load(r.text).limits, {
      memoryMax: 512 * MiB,
      memoryHigh: 384 * MiB,
      pidsMax: null,
      cpuWeight: 200,
      cpuMax: { quotaUs: 50_000, periodUs: 100_000 },
    });
  });

  void test('refused as a load of the file refuses it', () => {
    const r = renderService('svc', { exec: 'app', cpu_max: 50 }, FILE);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]?.message, errorsOf('exec: app\ncpu_max: 50\n')[0]?.[2]);
  });
});

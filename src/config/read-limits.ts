// Readers for the kernel resource limits of a service: memory_max, memory_high, pids_max, cpu_weight, cpu_max.
import { plainValue, type ErrorCollector, type YamlNode } from './collector.js';
import { describeValue } from './describe-value.js';
import { parseSizeBytes } from './units.js';
import type { ServiceLimits } from './types.js';

/** The word that lifts a limit, as the kernel writes it in memory.max, pids.max and cpu.max. */
export const NO_LIMIT = 'max';

/**
 * The kernel counts memory in pages and rounds a limit down to whole ones: below one page a limit
 * is no memory at all, and the service is killed (memory_max) or throttled (memory_high) at once.
 */
export const MIN_MEMORY_BYTES = 4096;

/** pids.max refuses more than PID_MAX_LIMIT, the most PIDs a 64-bit kernel hands out. */
export const MAX_PIDS = 4_194_304;

/** cpu.weight's range; 100, the middle of its scale, is the kernel's default. */
export const MIN_CPU_WEIGHT = 1;
export const MAX_CPU_WEIGHT = 10_000;

/** cpu.max's period: a percentage is the share of it the service may run. */
export const CPU_PERIOD_US = 100_000;
/** The kernel refuses a cpu.max quota under 1 ms. */
export const MIN_CPU_QUOTA_US = 1000;
/** The kernel refuses a cpu.max quota over 2^44 - 1 µs (its bandwidth arithmetic runs out of bits). */
export const MAX_CPU_QUOTA_US = 2 ** 44 - 1;

export type MemoryLimitKey = 'memory_max' | 'memory_high';

const MEMORY_EXAMPLE: Readonly<Record<MemoryLimitKey, string>> = { memory_max: '512M', memory_high: '384M' };
const PERCENT_RE = /^(\d+(?:\.\d*)?|\.\d+)\s*%$/;
const NUMBER_RE = /^(\d+(?:\.\d*)?|\.\d+)$/;
// The kernel's own cpu.max form, "QUOTA PERIOD" in microseconds.
const CGROUP_CPU_MAX_RE = /^(\d+)\s+(\d+)$/;
const CPU_EXAMPLE = 'write e.g. cpu_max: 50% for half a CPU, or cpu_max: 150% for one and a half';

/** Bytes, null for max (no limit), or undefined after reporting why the value is wrong. */
export function readMemoryLimit(c: ErrorCollector, key: MemoryLimitKey, node: YamlNode): number | null | undefined {
  const value = plainValue(node);
  if (value === NO_LIMIT) return null;
  const fix = `write e.g. ${key}: ${MEMORY_EXAMPLE[key]}, or ${key}: ${NO_LIMIT} for no limit`;
  let bytes: number;
  try {
    bytes = parseSizeBytes(value);
  } catch (err) {
    c.at(node, `${key} ${(err as Error).message}; ${fix}`);
    return undefined;
  }
  if (bytes < MIN_MEMORY_BYTES) {
    const effect = key === 'memory_max' ? 'kills the service as soon as it starts' : 'throttles the service from its first page';
    c.at(node, `${key} must be at least ${MIN_MEMORY_BYTES} bytes (4K), got ${describeValue(value)}: the kernel counts memory in whole pages of 4096 bytes, so a smaller limit is no memory at all and ${effect}; ${fix}`);
    return undefined;
  }
  return bytes;
}

/** A number of processes and threads, null for max, or undefined after reporting. */
export function readPidsMax(c: ErrorCollector, node: YamlNode): number | null | undefined {
  const value = plainValue(node);
  if (value === NO_LIMIT) return null;
  const fix = `write e.g. pids_max: 512, or pids_max: ${NO_LIMIT} for no limit`;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    c.at(node, `pids_max must be a whole number of processes and threads, or ${NO_LIMIT} for no limit, got ${describeValue(value)}; ${fix}`);
    return undefined;
  }
  if (value === 0) {
    c.at(node, `pids_max must be at least 1, got number 0: it counts the processes and threads the service may have, and with none it cannot even start; ${fix}`);
    return undefined;
  }
  if (value > MAX_PIDS) {
    c.at(node, `pids_max must be at most ${MAX_PIDS}, the most processes the kernel hands out, got number ${value}; write pids_max: ${NO_LIMIT} for no limit`);
    return undefined;
  }
  return value;
}

/** The share of CPU under contention, 1..10000, or undefined after reporting. */
export function readCpuWeight(c: ErrorCollector, node: YamlNode): number | undefined {
  const value = plainValue(node);
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= MIN_CPU_WEIGHT && value <= MAX_CPU_WEIGHT) return value;
  const expected = `cpu_weight must be a whole number from ${MIN_CPU_WEIGHT} to ${MAX_CPU_WEIGHT}, the kernel's range, got ${describeValue(value)}`;
  const fix = 'write e.g. cpu_weight: 200 for twice the CPU of a service at the default 100 when they compete, or cpu_weight: 50 for half';
  if (value === NO_LIMIT) c.at(node, `${expected}: a weight is a share, not a limit, so it has no max; remove the key for the default, or ${fix}`);
  else c.at(node, `${expected}; ${fix}`);
  return undefined;
}

/** A quota per period from a percentage of one CPU, null for max, or undefined after reporting. */
export function readCpuMax(c: ErrorCollector, node: YamlNode): ServiceLimits['cpuMax'] | undefined {
  const value = plainValue(node);
  if (value === NO_LIMIT) return null;
  const found = describeValue(value);
  const text = typeof value === 'string' ? value.trim() : null;
  const percent = text === null ? null : PERCENT_RE.exec(text);
  if (percent === null) {
    c.at(node, cpuMaxFormMessage(value, text, found));
    return undefined;
  }
  const quotaUs = Math.round(Number(percent[1]) * (CPU_PERIOD_US / 100));
  if (quotaUs < MIN_CPU_QUOTA_US) {
    c.at(node, `cpu_max must be at least 1% of one CPU, got ${found}: the kernel takes no less than ${MIN_CPU_QUOTA_US} µs of CPU time in each ${CPU_PERIOD_US} µs; write e.g. cpu_max: 1%, or cpu_max: ${NO_LIMIT} for no limit`);
    return undefined;
  }
  if (quotaUs > MAX_CPU_QUOTA_US) {
    c.at(node, `cpu_max must be at most ${Math.floor(MAX_CPU_QUOTA_US / (CPU_PERIOD_US / 100))}%, the kernel's largest quota, got ${found}; write cpu_max: ${NO_LIMIT} for no limit`);
    return undefined;
  }
  return { quotaUs, periodUs: CPU_PERIOD_US };
}

function cpuMaxFormMessage(value: unknown, text: string | null, found: string): string {
  const expected = `cpu_max must be a percentage of one CPU such as 50% or 150%, or ${NO_LIMIT} for no limit, got ${found}`;
  if (typeof value === 'number' || (text !== null && NUMBER_RE.test(text))) {
    return `${expected}: a number needs its % to say it is a share of one CPU; ${CPU_EXAMPLE}`;
  }
  const cgroup = text === null ? null : CGROUP_CPU_MAX_RE.exec(text);
  if (cgroup !== null && Number(cgroup[2]) > 0) {
    const percent = Math.round((Number(cgroup[1]) / Number(cgroup[2])) * 10_000) / 100;
    return `${expected}, the kernel's cpu.max form in microseconds; write it as a percentage: cpu_max: ${percent}%`;
  }
  return `${expected}; ${CPU_EXAMPLE}`;
}

// The machine the figures were taken on (cores, CPU model, memory, kernel) and every manager's version, for the top of the report.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import type { PeerName, Probe } from './peers.js';

export function getconf(name: string): number | null {
  try {
    const n = Number(execFileSync('getconf', [name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim());
    return Number.isFinite(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    return m?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown CPU';
  } catch {
    return os.cpus()[0]?.model ?? 'unknown CPU';
  }
}

function memTotal(): string {
  try {
    const m = /^MemTotal:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'));
    return m?.[1] ? `${(Number(m[1]) / 1024 / 1024).toFixed(1)} GiB` : 'unknown';
  } catch {
    return 'unknown';
  }
}

function distro(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os.type();
  } catch {
    return os.type();
  }
}

export function describeMachine(): string {
  return [
    `machine: ${os.availableParallelism()} cores (nproc), ${cpuModel()}, ${memTotal()} memory`,
    `system:  ${distro()}, Linux ${os.release()}, node ${process.version} (libuv ${process.versions.uv})`,
  ].join('\n');
}

export function describeVersions(probes: ReadonlyMap<PeerName, Probe>): string {
  const parts = [...probes].map(([name, p]) => `${name} ${p.present ? p.version : `absent (${p.why})`}`);
  return `versions: ${parts.join(', ')}`;
}

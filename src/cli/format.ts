// Human output: aligned tables, durations, byte sizes, warnings.

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

export function describeExit(exit: { code: number | null; signal: string | null; oomKill?: boolean } | null): string {
  if (!exit) return '-';
  if (exit.oomKill === true) return `killed by ${exit.signal ?? 'SIGKILL'} (out of memory: the kernel's OOM killer, memory_max)`;
  return exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}`;
}

/** A service file's warnings under its status, one `warnings:` line each; none from a daemon that reports none. */
export function warningLines(warnings: readonly string[] | undefined): string[] {
  return (warnings ?? []).map((w) => `warnings: ${w}`);
}

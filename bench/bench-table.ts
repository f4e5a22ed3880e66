// Bench results as rows of cells per manager, and one Markdown table of them with each peer's ratio to zinit-ts.
import { PEER_NAMES, type PeerName } from './peers.js';

export interface Figure {
  /** The number the ratio is taken on (in the row's unit). */
  readonly value: number;
  /** How the cell reads, e.g. "0.12 s, 0 left". */
  readonly text: string;
}

/** A manager that was not measured: absent, not applicable, or failed (with why). */
export interface Missing {
  readonly missing: string;
}

export type Cell = Figure | Missing;

export interface Row {
  readonly work: string;
  readonly cells: Partial<Record<PeerName, Cell>>;
}

export interface BenchResult {
  readonly title: string;
  readonly rows: readonly Row[];
  /** How each manager was driven, caveats. */
  readonly notes: readonly string[];
}

export function isFigure(c: Cell | undefined): c is Figure {
  return c !== undefined && 'value' in c;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function percentile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}

function ratio(peer: Cell | undefined, base: Cell | undefined): string {
  if (!isFigure(peer) || !isFigure(base) || !Number.isFinite(peer.value) || !Number.isFinite(base.value)) return '';
  if (base.value === 0) return peer.value === 0 ? ' (×1)' : ' (×∞)';
  const r = peer.value / base.value;
  return ` (×${r >= 10 ? r.toFixed(0) : r.toFixed(2)})`;
}

function cellText(c: Cell | undefined): string {
  if (c === undefined) return '';
  return isFigure(c) ? c.text : c.missing;
}

/** One table: a row per work item, a column per manager; peers' cells carry peer/zinit-ts. */
export function renderTable(results: readonly BenchResult[], peers: readonly PeerName[] = PEER_NAMES): string {
  const header = ['work', ...peers.map((p) => (p === 'zinit-ts' ? p : `${p} (×zinit-ts)`))];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const r of results.flatMap((b) => b.rows)) {
    const base = r.cells['zinit-ts'];
    const cells = peers.map((p) => (p === 'zinit-ts' ? cellText(base) : `${cellText(r.cells[p])}${ratio(r.cells[p], base)}`));
    lines.push(`| ${r.work} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export function renderNotes(results: readonly BenchResult[]): string {
  return results
    .filter((b) => b.notes.length > 0)
    .map((b) => `${b.title}:\n${b.notes.map((n) => `  - ${n}`).join('\n')}`)
    .join('\n');
}

/** The error of a failed measurement, short enough for a table cell. */
export function failed(err: unknown): Missing {
  const msg = err instanceof Error ? err.message : String(err);
  return { missing: `error: ${msg.split('\n')[0]?.slice(0, 80) ?? ''}` };
}

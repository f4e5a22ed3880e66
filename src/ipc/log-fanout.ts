// Log followers: one fan-out pass per turn of the event loop, bounded in lines and time, so requests are answered between passes.
import type { LogLine, LogStore } from '../log/log-store.js';
import { formatLogLine, formatZinitLine } from '../log/format-line.js';
import type { LogFormat } from './api-results.js';
import { TooManyStreamsError } from '../errors/errors.js';
import type { RpcContext } from './method-table.js';
import { nextSubscriptionId } from './subscription-id.js';

export interface LogFanoutOptions {
  /** Lines sent to all followers together in one pass; the rest wait for the next turn. */
  readonly linesPerPass?: number;
  /** Lines one follower gets in one pass, so one busy follower cannot take a whole pass. */
  readonly linesPerFollower?: number;
  /** Time one pass may take before it yields to the event loop. */
  readonly passBudgetMs?: number;
  /** Followers at once, across every connection. */
  readonly maxFollowers?: number;
  /** A follower whose connection stays full this long while lines keep coming is dropped. */
  readonly stallLimitMs?: number;
  readonly now?: () => number;
}

const METHOD = 'stream_subscribeLogs';

interface Follower {
  readonly id: number;
  readonly service: string | null;
  readonly format: LogFormat;
  readonly ctx: RpcContext;
  readonly release: () => void;
  /** Taken off the connection's signal when the follower ends, so subscribing again and again leaves nothing behind. */
  readonly onAbort: () => void;
  cursor: number;
  /** Lines evicted before a history follower's first read are not a gap it fell into. */
  fresh: boolean;
  waitingDrain: boolean;
  stalledSince: number | null;
}

/**
 * Every follower is served from the one store by cursor: a follower that cannot keep up is
 * paused (nothing is queued for it beyond its socket's high-water mark), is told how many lines
 * it missed when it reads again, and is dropped if it stays stalled while lines keep coming.
 * A line is encoded once per pass however many followers it goes to.
 */
export class LogFanout {
  private readonly followers = new Map<number, Follower>();
  private readonly linesPerPass: number;
  private readonly linesPerFollower: number;
  private readonly passBudgetMs: number;
  private readonly maxFollowers: number;
  private readonly stallLimitMs: number;
  private readonly now: () => number;
  private unlisten: (() => void) | null = null;
  private scheduled = false;
  /** Where the next pass starts, so followers late in the list are not always the ones cut off. */
  private nextIndex = 0;
  private dropped = 0;

  constructor(
    private readonly logs: LogStore,
    options: LogFanoutOptions = {},
  ) {
    this.linesPerPass = options.linesPerPass ?? 4096;
    this.linesPerFollower = options.linesPerFollower ?? 64;
    this.passBudgetMs = options.passBudgetMs ?? 4;
    this.maxFollowers = options.maxFollowers ?? 1024;
    this.stallLimitMs = options.stallLimitMs ?? 30_000;
    this.now = options.now ?? (() => performance.now());
  }

  get size(): number {
    return this.followers.size;
  }

  /** Followers dropped so far for not reading. */
  get droppedCount(): number {
    return this.dropped;
  }

  follow(ctx: RpcContext, service: string | null, history: boolean, format: LogFormat): number {
    if (this.followers.size >= this.maxFollowers) {
      throw TooManyStreamsError.logFollowers(this.maxFollowers);
    }
    const release = ctx.openStream();
    const id = nextSubscriptionId();
    const onAbort = (): void => this.remove(id);
    const follower: Follower = { id, service, format, ctx, release, onAbort, cursor: history ? 0 : this.logs.latestSeq(), fresh: history, waitingDrain: false, stalledSince: null };
    this.followers.set(id, follower);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    this.unlisten ??= this.logs.onAppend(() => this.schedule());
    this.schedule();
    return id;
  }

  /** Ends a follower of this connection (a client ends only its own); false when it has none by that id. */
  unfollow(ctx: RpcContext, id: number): boolean {
    if (this.followers.get(id)?.ctx !== ctx) return false;
    this.remove(id);
    return true;
  }

  private remove(id: number): void {
    const f = this.followers.get(id);
    if (f === undefined) return;
    this.followers.delete(id);
    f.ctx.signal.removeEventListener('abort', f.onAbort);
    f.release();
    if (this.followers.size === 0 && this.unlisten !== null) {
      this.unlisten();
      this.unlisten = null;
    }
  }

  private schedule(): void {
    if (this.scheduled || this.followers.size === 0) return;
    this.scheduled = true;
    setImmediate(() => this.pass());
  }

  /**
   * After a pass that had to stop short, the next one waits as long as this one took: fan-out
   * gets at most half of the loop, and the other half is free for requests and new clients
   * (libuv accepts one connection per turn, so a loop kept busy by passes turns clients away).
   */
  private scheduleAfter(elapsedMs: number): void {
    if (this.scheduled || this.followers.size === 0) return;
    if (elapsedMs < 0.5) {
      this.schedule();
      return;
    }
    this.scheduled = true;
    setTimeout(() => this.pass(), Math.ceil(elapsedMs));
  }

  private pass(): void {
    this.scheduled = false;
    const started = this.now();
    const list = [...this.followers.values()];
    const encoded: Encoded = { zinit: new Map(), 'zinit-ts': new Map() };
    let linesLeft = this.linesPerPass;
    let more = false;
    const count = list.length;
    const first = this.nextIndex % Math.max(1, count);
    for (let k = 0; k < count; k++) {
      const f = list[(first + k) % count];
      if (f === undefined || f.ctx.signal.aborted) continue;
      if (linesLeft <= 0 || this.now() - started > this.passBudgetMs) {
        this.nextIndex = (first + k) % count;
        more = true;
        break;
      }
      const sent = this.serve(f, Math.min(this.linesPerFollower, linesLeft), encoded, started);
      linesLeft -= sent.lines;
      if (sent.more) more = true;
    }
    if (!more) this.nextIndex = 0;
    if (more) this.scheduleAfter(this.now() - started);
  }

  /** Sends one follower what it has not seen, up to `max` lines, as one write. */
  private serve(f: Follower, max: number, encoded: Encoded, now: number): { lines: number; more: boolean } {
    if (f.waitingDrain || f.ctx.backlog >= f.ctx.highWaterMark) {
      f.stalledSince ??= now;
      if (now - f.stalledSince > this.stallLimitMs) {
        this.dropped += 1;
        this.remove(f.id);
        f.ctx.drop(`log follower ${f.id} read nothing for ${Math.round(this.stallLimitMs / 1000)} s while lines kept coming`);
        return { lines: 0, more: false };
      }
      if (!f.waitingDrain) {
        f.waitingDrain = true;
        f.ctx.onDrain(() => {
          f.waitingDrain = false;
          this.schedule();
        });
      }
      return { lines: 0, more: false };
    }
    f.stalledSince = null;
    const { lines, missed } = this.logs.readSince(f.service, f.cursor, max);
    let text = '';
    if (missed > 0 && !f.fresh) text += item(f.id, JSON.stringify(gapLine(f.format, missed)));
    f.fresh = false;
    const cache = encoded[f.format];
    for (const line of lines) {
      // zinit-ts's form has no spawn line: its lines say their time instead.
      if (line.start === true && f.format === 'zinit-ts') continue;
      let enc = cache.get(line);
      if (enc === undefined) {
        enc = JSON.stringify(f.format === 'zinit' ? formatZinitLine(line) : formatLogLine(line));
        cache.set(line, enc);
      }
      text += item(f.id, enc);
    }
    const last = lines[lines.length - 1];
    // Missed lines and nothing retained after them: the gap is told once, not at every pass.
    f.cursor = last !== undefined ? last.seq : Math.max(f.cursor, missed > 0 ? this.logs.latestSeq() : f.cursor);
    if (text.length > 0 && !f.ctx.sendEncoded(text)) this.remove(f.id);
    return { lines: lines.length, more: lines.length === max };
  }
}

/** Each line encoded once per pass and form, however many followers it goes to. */
type Encoded = Record<LogFormat, Map<LogLine, string>>;

/** What a follower that fell behind is told, in its form (zinit's own words for it in zinit's). */
function gapLine(format: LogFormat, missed: number): string {
  return format === 'zinit' ? `[-] zinit: ${missed} lines dropped` : `-- ${missed} line(s) missed: this follower fell behind --`;
}

function item(id: number, encodedResult: string): string {
  return `{"jsonrpc":"2.0","method":"${METHOD}","params":{"subscription":${id},"result":${encodedResult}}}\n`;
}

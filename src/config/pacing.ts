// How a directory's files are worked through: a bounded number read at once, parsed one per event-loop turn.

/** Runs each task in an event-loop turn of its own, one after another, so I/O (the control socket) is served between them. */
export function turnTaker(): <T>(task: () => T) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(task: () => T): Promise<T> => {
    const next = last.then(() => new Promise((resolve) => setImmediate(resolve))).then(task);
    last = next.catch(() => undefined);
    return next;
  };
}

export type Turn = ReturnType<typeof turnTaker>;

/** Runs `task` over `items` with at most `limit` at once; results in the items' order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next;
      next += 1;
      results[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// The body of an HTTP request as one JSON value, read with the control socket's caps on size and depth: never more than the cap is held.
import type { Readable } from 'node:stream';
import { ParseError, RequestTooDeepError, RequestTooLargeError, type RpcError } from '../../errors/errors.js';
import { messageOf } from '../../errors/message-of.js';
import { JsonFramer, type FramerLimits } from '../framing.js';

export type BodyOutcome =
  | { readonly ok: true; readonly message: unknown }
  /** `status`: the HTTP status to answer with; `unread`: reading stopped before the end of the body. */
  | { readonly ok: false; readonly error: RpcError; readonly status: number; readonly unread: boolean };

const tooLarge = (max: number): BodyOutcome => ({ ok: false, error: new RequestTooLargeError(max), status: 413, unread: true });

/** What the framer found once the whole body went through it. */
function outcome(messages: readonly string[], deep: boolean, maxDepth: number): BodyOutcome {
  if (deep) return { ok: false, error: new RequestTooDeepError(maxDepth), status: 200, unread: false };
  if (messages.length !== 1) {
    const why = messages.length === 0 ? 'the body is empty' : 'the body holds more than one JSON value; send one request, or a batch as one array';
    return { ok: false, error: new ParseError(why), status: 200, unread: false };
  }
  try {
    return { ok: true, message: JSON.parse(messages[0] ?? '') as unknown };
  } catch (err) {
    return { ok: false, error: new ParseError(messageOf(err)), status: 200, unread: false };
  }
}

/**
 * Reads `body` (its declared length checked first) and parses it; resolves once it is read or
 * refused. Past the cap it stops reading (paused, not destroyed, so the refusal can still be
 * written); rejects if the client goes away first.
 */
export function readJsonBody(body: Readable, contentLength: string | undefined, limits: FramerLimits): Promise<BodyOutcome> {
  if (contentLength !== undefined && Number(contentLength) > limits.maxBytes) return Promise.resolve(tooLarge(limits.maxBytes));
  return new Promise((resolve, reject) => {
    const messages: string[] = [];
    let deep = false;
    let large = false;
    let total = 0;
    const framer = new JsonFramer(limits, {
      onMessage: (text) => messages.push(text),
      onTooDeep: () => (deep = true),
      onTooLarge: () => (large = true),
    });
    const settle = (): void => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      // Counted over the whole body too: values back to back must not add up past the cap.
      if (total <= limits.maxBytes) framer.push(chunk);
      if (total > limits.maxBytes || large) {
        settle();
        body.pause();
        framer.stop();
        resolve(tooLarge(limits.maxBytes));
      }
    };
    const onEnd = (): void => {
      settle();
      framer.finish();
      resolve(outcome(messages, deep, limits.maxDepth));
    };
    const onError = (err: Error): void => {
      settle();
      reject(err);
    };
    const onClose = (): void => onError(new Error('the client went away before its request was read'));
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
    body.once('close', onClose);
  });
}

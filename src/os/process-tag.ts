// The environment tag every process of a service inherits, so it is found even after setsid and a dead parent.

export const TAG_SERVICE = 'ZINIT_TS_SERVICE';
export const TAG_INSTANCE = 'ZINIT_TS_INSTANCE';
/** The control socket of the daemon that started it: a later daemon on the same socket owns its leftovers. */
export const TAG_SOCKET = 'ZINIT_TS_SOCKET';

export interface DaemonTag {
  readonly instance: string;
  readonly domain: string;
}

export function tagEnv(tag: DaemonTag, service: string): Record<string, string> {
  return { [TAG_SERVICE]: service, [TAG_INSTANCE]: tag.instance, [TAG_SOCKET]: tag.domain };
}

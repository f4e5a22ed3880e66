// The keys a service file may use: zinit's own, then the extensions.

export const ZINIT_KEYS = [
  'exec',
  'test',
  'oneshot',
  'after',
  'signal',
  'shutdown_timeout',
  'log',
  'env',
  'dir',
  // zinit ignores it, but its own examples write it: accepted when it equals the file's name.
  'name',
] as const;

export const EXTENSION_KEYS = [
  'restart',
  'restart_delay',
  'restart_max_delay',
  'max_restarts',
  'test_interval',
  'test_timeout',
  'user',
  'group',
  'pass_env',
  'post_stop',
  'critical',
  'log_file',
  'log_max_size',
  'log_max_files',
  'kill_mode',
  'ready',
  'live',
  'live_interval',
  'live_failures',
  'notify',
  'memory_max',
  'memory_high',
  'pids_max',
  'cpu_weight',
  'cpu_max',
] as const;

export type ServiceKey = (typeof ZINIT_KEYS)[number] | (typeof EXTENSION_KEYS)[number];

export const SERVICE_KEYS: readonly ServiceKey[] = [...ZINIT_KEYS, ...EXTENSION_KEYS];

export function isServiceKey(key: string): key is ServiceKey {
  return (SERVICE_KEYS as readonly string[]).includes(key);
}

// "Did you mean" hints: edit distance to the known words, plus names other tools use for the same thing.

/** Keys from systemd, compose and friends that mean one of ours. */
const CONFUSIONS: ReadonlyMap<string, string> = new Map(Object.entries({
  depends_on: 'after',
  depends: 'after',
  dependencies: 'after',
  requires: 'after',
  require: 'after',
  needs: 'after',
  wants: 'after',
  cmd: 'exec',
  command: 'exec',
  run: 'exec',
  exec_start: 'exec',
  execstart: 'exec',
  start: 'exec',
  environment: 'env',
  environ: 'env',
  passenvironment: 'pass_env',
  pass_environment: 'pass_env',
  passthrough_env: 'pass_env',
  env_pass: 'pass_env',
  inherit_env: 'pass_env',
  keep_env: 'pass_env',
  cwd: 'dir',
  workdir: 'dir',
  working_dir: 'dir',
  working_directory: 'dir',
  workingdirectory: 'dir',
  directory: 'dir',
  stop_signal: 'signal',
  stopsignal: 'signal',
  kill_signal: 'signal',
  killsignal: 'signal',
  timeout: 'shutdown_timeout',
  stop_timeout: 'shutdown_timeout',
  timeout_stop: 'shutdown_timeout',
  timeoutstopsec: 'shutdown_timeout',
  stop_grace_period: 'shutdown_timeout',
  healthcheck: 'test',
  health_check: 'test',
  check: 'test',
  readiness: 'ready',
  readiness_probe: 'ready',
  readinessprobe: 'ready',
  ready_check: 'ready',
  readycheck: 'ready',
  liveness: 'live',
  liveness_probe: 'live',
  livenessprobe: 'live',
  live_check: 'live',
  livecheck: 'live',
  alive: 'live',
  liveness_interval: 'live_interval',
  live_period: 'live_interval',
  period_seconds: 'live_interval',
  periodseconds: 'live_interval',
  health_interval: 'live_interval',
  liveness_failures: 'live_failures',
  live_retries: 'live_failures',
  failure_threshold: 'live_failures',
  failurethreshold: 'live_failures',
  probe_timeout: 'test_timeout',
  ready_timeout: 'test_timeout',
  live_timeout: 'test_timeout',
  timeout_seconds: 'test_timeout',
  timeoutseconds: 'test_timeout',
  sd_notify: 'notify',
  sdnotify: 'notify',
  notify_socket: 'notify',
  notify_access: 'notify',
  notification_fd: 'notify',
  restart_policy: 'restart',
  restartsec: 'restart_delay',
  restart_sec: 'restart_delay',
  one_shot: 'oneshot',
  type: 'oneshot',
  logging: 'log',
  logs: 'log',
  output: 'log',
  uid: 'user',
  gid: 'group',
  poststop: 'post_stop',
  exec_stop_post: 'post_stop',
  execstoppost: 'post_stop',
  // systemd's unit settings, docker's and compose's flags, and Kubernetes' resources for the same limits.
  memorymax: 'memory_max',
  memory_limit: 'memory_max',
  mem_limit: 'memory_max',
  memory: 'memory_max',
  memorylimit: 'memory_max',
  memoryhigh: 'memory_high',
  tasksmax: 'pids_max',
  pids_limit: 'pids_max',
  pids: 'pids_max',
  pidslimit: 'pids_max',
  max_pids: 'pids_max',
  cpuweight: 'cpu_weight',
  cpu_shares: 'cpu_weight',
  cpushares: 'cpu_weight',
  cpuquota: 'cpu_max',
  cpus: 'cpu_max',
  cpu_limit: 'cpu_max',
  cpulimit: 'cpu_max',
  cpu: 'cpu_max',
}));

/** Optimal string alignment distance: Levenshtein that also counts a swap of neighbours as one edit. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] ?? 0;
  for (let i = 0; i < rows; i += 1) d[i * cols] = i;
  for (let j = 0; j < cols; j += 1) d[j] = j;
  for (let i = 1; i < rows; i += 1) {
    for (let j = 1; j < cols; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      d[i * cols + j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The known word `word` was most likely meant to be, or null when nothing is close. */
export function suggest(word: string, known: readonly string[]): string | null {
  const lower = word.toLowerCase();
  const normalised = lower.replace(/-/g, '_');
  const confused = CONFUSIONS.get(normalised) ?? CONFUSIONS.get(normalised.replace(/_/g, ''));
  if (confused !== undefined && known.includes(confused)) return confused;
  // Two edits turn any three-letter word into most others, so short words get one.
  const limit = lower.length <= 3 ? 1 : 2;
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    // Lengths further apart than the limit cannot be within it; skipping them keeps a huge word cheap.
    if (Math.abs(candidate.length - lower.length) > limit) continue;
    const distance = Math.min(editDistance(lower, candidate), editDistance(normalised, candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

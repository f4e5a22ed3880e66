// Parses and validates one service file into a ServiceConfig, collecting every problem with its position.
import path from 'node:path';
import { isMap, LineCounter, parseDocument, type YAMLError } from 'yaml';
import { ErrorCollector, isEmptyValue, plainValue, scalarText, type YamlNode } from './collector.js';
import { checkCrossKeyRules } from './cross-key-rules.js';
import { describeValue } from './describe-value.js';
import { walkDocument } from './document-walk.js';
import { completeDraft, type Draft, type Entry } from './draft.js';
import { isServiceKey, SERVICE_KEYS, type ServiceKey } from './known-keys.js';
import { MAX_ALIASES, MAX_DEPTH, MAX_INDENT_COLUMNS } from './limits.js';
import { prescanProblem } from './yaml-prescan.js';
import { readAfter, readEnv, readPassEnv, readStopSignal } from './read-collections.js';
import { readLiveFailures, readNotify } from './read-health.js';
import { readIdentity } from './read-identity.js';
import { readCpuMax, readCpuWeight, readMemoryLimit, readPidsMax } from './read-limits.js';
import { readProbe } from './read-probe.js';
import { readBool, readChoice, readCommand, readCount, readDuration, readSize, readString } from './read-scalars.js';
import { serviceNameProblem } from './service-name.js';
import { suggest } from './suggest.js';
import { lineAndColumn } from './text-position.js';
import { NO_LIMITS, type ConfigError, type ConfigWarning, type IdentityResolver, type KillMode, type LogMode, type RestartPolicy, type ServiceConfig, type ServiceLimits } from './types.js';

export interface ParseResult {
  /** null when there is any error; warnings alone never make it null. */
  readonly config: ServiceConfig | null;
  readonly errors: ConfigError[];
  /** Keys zinit would ignore, each with its did-you-mean: whoever reads the result decides what they cost. */
  readonly warnings: ConfigWarning[];
}

const LOG_MODES: readonly LogMode[] = ['ring', 'stdout', 'none', 'file'];
// zinit's reference lists `null` for output thrown away; its parser knows that mode as none.
const LOG_HINTS: Readonly<Record<string, LogMode>> = { null: 'none', off: 'none', false: 'none', discard: 'none' };
const RESTART_POLICIES: readonly RestartPolicy[] = ['always', 'on-failure', 'never'];
const RESTART_HINTS: Readonly<Record<string, RestartPolicy>> = {
  no: 'never',
  false: 'never',
  off: 'never',
  yes: 'always',
  true: 'always',
  'unless-stopped': 'always',
  'on-abnormal': 'on-failure',
  'on-abort': 'on-failure',
};
const KILL_MODES: readonly KillMode[] = ['mixed', 'control-group', 'process'];
const KILL_MODE_HINTS: Readonly<Record<string, KillMode>> = {
  control_group: 'control-group',
  controlgroup: 'control-group',
  cgroup: 'control-group',
  group: 'control-group',
  all: 'control-group',
  main: 'process',
};
const EXEC_EXAMPLE = 'e.g. exec: redis-server --port 7777';
const EXEC_EMPTY = `exec must not be empty; give the command to run, ${EXEC_EXAMPLE}`;

export function parseServiceFile(
  name: string,
  text: string,
  file: string,
  resolveIdentity?: IdentityResolver,
): ParseResult {
  const nameProblem = serviceNameProblem(name);
  const nameError = (c: ErrorCollector): void => {
    if (nameProblem !== null) c.atLine(0, 0, `${nameProblem}; rename the file`, 'bad-name');
  };
  // The parser recurses per level of nesting: a deep file is refused before it can exhaust the stack.
  const early = prescanProblem(text, { maxDepth: MAX_DEPTH, maxAliases: MAX_ALIASES, maxIndent: MAX_INDENT_COLUMNS });
  if (early !== null) {
    const c = new ErrorCollector(file, name);
    nameError(c);
    const { line, column } = lineAndColumn(text, early.offset);
    c.atLine(line, column, early.message, early.code);
    return { config: null, errors: c.errors, warnings: [] };
  }
  const lines = new LineCounter();
  // The library's own duplicate-key check compares every key with every earlier one; the walk below uses a set.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });

  // A document with syntax errors is only partly built; checking its keys would report noise.
  const syntax = [...doc.errors, ...doc.warnings];
  if (syntax.length > 0) {
    const c = new ErrorCollector(file, name, lines);
    nameError(c);
    for (const e of syntax) c.atOffset(e.pos[0], yamlMessage(e), 'syntax');
    return { config: null, errors: c.sorted(), warnings: [] };
  }
  const walk = walkDocument(doc, { maxDepth: MAX_DEPTH, maxAliases: MAX_ALIASES });
  const c = new ErrorCollector(file, name, lines, walk.aliasTargets);
  nameError(c);
  if (walk.problems.length > 0) {
    for (const p of walk.problems) {
      if (p.offset === null) c.atLine(0, 0, p.message, p.code);
      else c.atOffset(p.offset, p.message, p.code);
    }
    return { config: null, errors: c.sorted(), warnings: [] };
  }

  const root = c.deref(doc.contents);
  if (isEmptyValue(root)) {
    c.atLine(1, 1, `exec is required: the file is empty; give the command to run, ${EXEC_EXAMPLE}`);
    return { config: null, errors: c.errors, warnings: [] };
  }
  if (!isMap(root)) {
    const found = describeValue(plainValue(root));
    c.at(root, `a service file must be a mapping of keys to values (${EXEC_EXAMPLE}), got ${found}`);
    return { config: null, errors: c.errors, warnings: [] };
  }

  const entries = collectEntries(c, root.items);
  const draft = readEntries(c, entries, name, file, resolveIdentity);
  if (!entries.has('exec')) c.at(root, `exec is required; give the command to run, ${EXEC_EXAMPLE}`);
  checkCrossKeyRules(c, entries, draft);
  if (c.errors.length > 0) return { config: null, errors: c.sorted(), warnings: c.warnings };
  return { config: completeDraft(draft, name, file), errors: [], warnings: c.warnings };
}

function yamlMessage(e: YAMLError): string {
  switch (e.code) {
    case 'MULTIPLE_DOCS':
      return 'a service file holds one YAML document; remove the second "---" and what follows, '
        + 'or move it to its own file';
    default:
      return `YAML syntax error: ${e.message}`;
  }
}

function collectEntries(c: ErrorCollector, items: readonly { key: unknown; value: unknown }[]): Map<ServiceKey, Entry> {
  const entries = new Map<ServiceKey, Entry>();
  for (const pair of items) {
    const keyNode = c.deref(pair.key);
    const key = scalarText(keyNode);
    if (key === null) {
      c.at(keyNode, `keys must be plain names such as exec or after, got ${describeValue(plainValue(keyNode))}`);
    } else if (!isServiceKey(key)) {
      // zinit ignores keys it does not know, so the file still loads. Past the kept warnings only the
      // count remains, so a file of 50k unknown keys skips 50k hints.
      c.warnAt(keyNode, c.warningsFull ? '' : unknownKeyMessage(key), 'unknown-key');
    } else {
      entries.set(key, { keyNode, valueNode: c.deref(pair.value) });
    }
  }
  return entries;
}

function unknownKeyMessage(key: string): string {
  const meant = suggest(key, SERVICE_KEYS);
  const hint = meant === null ? `; known keys are ${SERVICE_KEYS.join(', ')}` : `; did you mean ${meant}?`;
  return `unknown key ${JSON.stringify(key)}${hint}`;
}

function readEntries(
  c: ErrorCollector,
  entries: ReadonlyMap<ServiceKey, Entry>,
  name: string,
  file: string,
  resolveIdentity: IdentityResolver | undefined,
): Draft {
  const d: Draft = {};
  for (const [key, { valueNode: v }] of entries) {
    if (isEmptyValue(v)) {
      if (key === 'exec') c.at(entries.get(key)?.keyNode, EXEC_EMPTY);
      continue;
    }
    switch (key) {
      case 'name':
        checkNameKey(c, v, name, file);
        break;
      case 'exec': {
        const cmd = readCommand(c, key, v);
        if (cmd === null) c.at(v, EXEC_EMPTY);
        else if (cmd !== undefined) [d.exec, d.argv] = [cmd.line, cmd.argv];
        break;
      }
      case 'test': {
        const cmd = readCommand(c, key, v);
        if (cmd !== undefined) [d.test, d.testArgv] = [cmd?.line ?? null, cmd?.argv ?? null];
        break;
      }
      case 'post_stop': {
        const cmd = readCommand(c, key, v);
        if (cmd !== undefined) [d.postStop, d.postStopArgv] = [cmd?.line ?? null, cmd?.argv ?? null];
        break;
      }
      case 'oneshot':
        d.oneshot = readBool(c, key, v);
        break;
      case 'critical':
        d.critical = readBool(c, key, v);
        break;
      case 'after':
        d.after = readAfter(c, v, name);
        break;
      case 'signal': {
        const signal = readStopSignal(c, v);
        if (signal !== null) d.stopSignal = signal;
        break;
      }
      case 'env':
        d.env = readEnv(c, v);
        break;
      case 'pass_env':
        d.passEnv = readPassEnv(c, v);
        break;
      case 'dir': {
        const dir = readString(c, key, v, 'a directory path');
        if (dir !== '') d.dir = dir;
        break;
      }
      case 'log':
        d.log = readChoice(c, key, v, LOG_MODES, LOG_HINTS);
        break;
      case 'restart':
        d.restart = readChoice(c, key, v, RESTART_POLICIES, RESTART_HINTS);
        break;
      case 'kill_mode':
        d.killMode = readChoice(c, key, v, KILL_MODES, KILL_MODE_HINTS);
        break;
      case 'shutdown_timeout':
        d.shutdownTimeoutMs = readDuration(c, key, v);
        break;
      case 'restart_delay':
        d.restartDelayMs = readDuration(c, key, v);
        break;
      case 'restart_max_delay':
        d.restartMaxDelayMs = readDuration(c, key, v);
        break;
      case 'test_interval':
        d.testIntervalMs = readDuration(c, key, v, { positive: true });
        break;
      case 'test_timeout':
        d.testTimeoutMs = readDuration(c, key, v, { positive: true });
        break;
      case 'ready':
        d.ready = readProbe(c, key, v);
        break;
      case 'live':
        d.live = readProbe(c, key, v);
        break;
      case 'live_interval':
        d.liveIntervalMs = readDuration(c, key, v, { positive: true });
        break;
      case 'live_failures':
        d.liveFailures = readLiveFailures(c, v);
        break;
      case 'notify':
        d.notify = readNotify(c, v);
        break;
      case 'max_restarts':
        d.maxRestarts = readCount(c, key, v);
        break;
      case 'log_max_files':
        d.logMaxFiles = readCount(c, key, v);
        break;
      case 'log_max_size':
        d.logMaxSize = readSize(c, key, v);
        break;
      case 'log_file':
        d.logFile = readLogFile(c, v);
        break;
      case 'user': {
        const id = readIdentity(c, key, v, resolveIdentity);
        if (id !== undefined) [d.user, d.uid] = [id.name, id.id];
        break;
      }
      case 'group': {
        const id = readIdentity(c, key, v, resolveIdentity);
        if (id !== undefined) [d.group, d.gid] = [id.name, id.id];
        break;
      }
      case 'memory_max':
        setLimit(d, 'memoryMax', readMemoryLimit(c, key, v));
        break;
      case 'memory_high':
        setLimit(d, 'memoryHigh', readMemoryLimit(c, key, v));
        break;
      case 'pids_max':
        setLimit(d, 'pidsMax', readPidsMax(c, v));
        break;
      case 'cpu_weight':
        setLimit(d, 'cpuWeight', readCpuWeight(c, v));
        break;
      case 'cpu_max':
        setLimit(d, 'cpuMax', readCpuMax(c, v));
        break;
    }
  }
  return d;
}

/** The five limit keys fill one ServiceLimits; a value reported as wrong (undefined) leaves its field unset. */
function setLimit<K extends keyof ServiceLimits>(d: Draft, field: K, value: ServiceLimits[K] | undefined): void {
  if (value !== undefined) d.limits = { ...(d.limits ?? NO_LIMITS), [field]: value };
}

/**
 * zinit names a service by its file and ignores `name:`, yet its own examples write one: equal to
 * the file's name it changes nothing; any other value would make the file say two things.
 */
function checkNameKey(c: ErrorCollector, node: YamlNode, name: string, file: string): void {
  const written = scalarText(node);
  if (written === name) return;
  if (written === null) {
    c.at(node, `name must be the service name as text, got ${describeValue(plainValue(node))}; write name: ${name}, or remove the key (the file name names the service)`);
    return;
  }
  const base = path.basename(file);
  const ext = path.extname(base) === '.yml' ? '.yml' : '.yaml';
  const rename = serviceNameProblem(written) === null ? `, or rename ${base} to ${written}${ext} if the service is to be called that` : '';
  c.at(node, `name ${JSON.stringify(written)} differs from the service name "${name}", which comes from the file name ${base}; write name: ${name}, or remove the key${rename}`);
}

function readLogFile(c: ErrorCollector, node: YamlNode): string | undefined {
  const file = readString(c, 'log_file', node, 'a file path');
  if (file === undefined) return undefined;
  if (!path.isAbsolute(file)) {
    const example = `/var/log/${file === '' ? 'service.log' : file}`;
    c.at(node, `log_file must be an absolute path, got ${JSON.stringify(file)}; write e.g. ${example}`);
    return undefined;
  }
  return file;
}

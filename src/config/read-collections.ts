// Readers for the keys that hold lists and mappings: after, env, pass_env and signal.
import { isMap, isScalar, isSeq } from 'yaml';
import { isEmptyValue, plainValue, scalarText, type ErrorCollector, type YamlNode } from './collector.js';
import { describeValue } from './describe-value.js';
import { serviceNameProblem } from './service-name.js';
import { parseSignal, signalName, signalNames } from './signals.js';
import { suggest } from './suggest.js';

/** The items of a list key; a single scalar stands for a one-element list, as zinit reads `after`. */
function listItems(c: ErrorCollector, node: YamlNode, expected: string): YamlNode[] | undefined {
  if (!isSeq(node) && !isScalar(node)) {
    c.at(node, `${expected}, got ${describeValue(plainValue(node))}`);
    return undefined;
  }
  return isSeq(node) ? node.items.map((item) => c.deref(item)) : [node];
}

/** `after` as a list of names; a single name stands for a one-element list, as zinit reads it. */
export function readAfter(c: ErrorCollector, node: YamlNode, self: string): string[] | undefined {
  const items = listItems(c, node, 'after must be a list of service names, e.g. after: [db, cache]');
  if (items === undefined) return undefined;
  const names: string[] = [];
  let ok = true;
  for (const item of items) {
    const name = scalarText(item);
    if (name === null) {
      c.at(item, `after must list service names, got ${describeValue(plainValue(item))} in the list`);
      ok = false;
      continue;
    }
    const problem = serviceNameProblem(name);
    if (problem !== null) {
      c.at(item, `after: ${problem}`);
      ok = false;
    } else if (name === self) {
      c.at(item, `after lists the service itself ("${self}"); a service cannot wait for itself, remove it`);
      ok = false;
    } else if (!names.includes(name)) {
      names.push(name);
    }
  }
  return ok ? names : undefined;
}

/** `env` as a mapping of names to strings; numbers and booleans are kept as written. */
export function readEnv(c: ErrorCollector, node: YamlNode): Record<string, string> | undefined {
  if (!isMap(node)) {
    const found = describeValue(plainValue(node));
    c.at(node, `env must be a mapping of variable names to values, e.g. env: {PORT: "8080"}, got ${found}`);
    return undefined;
  }
  const env: Record<string, string> = {};
  let ok = true;
  for (const pair of node.items) {
    const keyNode = c.deref(pair.key);
    const name = scalarText(keyNode);
    if (name === null || name === '' || name.includes('=') || name.includes('\0')) {
      const found = name === null ? describeValue(plainValue(keyNode)) : JSON.stringify(name);
      c.at(keyNode, `env variable names must be non-empty text without "=", got ${found}`);
      ok = false;
      continue;
    }
    const valueNode = c.deref(pair.value);
    const value = isEmptyValue(valueNode) ? null : scalarText(valueNode);
    if (value === null) {
      const at = isEmptyValue(valueNode) ? keyNode : valueNode;
      const extra = isEmptyValue(valueNode) ? `; write ${name}: "" for an empty value` : '';
      c.at(at, `env.${name} must be a string, number or boolean, got ${describeValue(plainValue(valueNode))}${extra}`);
      ok = false;
    } else if (value.includes('\0')) {
      c.at(valueNode, `env.${name} must not contain a NUL character`);
      ok = false;
    } else {
      // defineProperty, because assigning to a variable named __proto__ would drop it.
      Object.defineProperty(env, name, { value, enumerable: true, writable: true, configurable: true });
    }
  }
  return ok ? env : undefined;
}

// What a shell can export: systemd's PassEnvironment takes the same names.
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `pass_env` as a list of variable names; a single name stands for a one-element list. */
export function readPassEnv(c: ErrorCollector, node: YamlNode): string[] | undefined {
  const items = listItems(c, node, 'pass_env must be a list of variable names, e.g. pass_env: [AWS_REGION, HTTP_PROXY]');
  if (items === undefined) return undefined;
  const names: string[] = [];
  let ok = true;
  for (const item of items) {
    const name = scalarText(item);
    if (name === null || !VARIABLE_NAME.test(name)) {
      c.at(item, passEnvProblem(name, item));
      ok = false;
    } else if (!names.includes(name)) {
      names.push(name);
    }
  }
  return ok ? names : undefined;
}

function passEnvProblem(name: string | null, item: YamlNode): string {
  if (name === null) return `pass_env must list variable names, got ${describeValue(plainValue(item))} in the list`;
  const eq = name.indexOf('=');
  if (eq > 0) {
    const [key, value] = [name.slice(0, eq), name.slice(eq + 1)];
    return `pass_env lists names only, got ${JSON.stringify(name)}; pass ${key} from the daemon with pass_env: [${key}], or set it with env: {${key}: ${JSON.stringify(value)}}`;
  }
  if (/\s/.test(name.trim())) {
    const parts = name.trim().split(/\s+/);
    return `pass_env names one variable per entry, got ${JSON.stringify(name)}; write a list: pass_env: [${parts.join(', ')}]`;
  }
  if (name.startsWith('$')) return `pass_env takes the name without "$", got ${JSON.stringify(name)}; write ${name.replace(/^\$\{?|\}$/g, '')}`;
  return `pass_env: ${JSON.stringify(name)} is not a variable name; use letters, digits and _, not starting with a digit`;
}

/** The stop signal from zinit's `signal: {stop: NAME}`; undefined after reporting, null when not given. */
export function readStopSignal(c: ErrorCollector, node: YamlNode): NodeJS.Signals | null | undefined {
  if (!isMap(node)) {
    const value = plainValue(node);
    const example = typeof value === 'string' ? value : 'SIGINT';
    const found = describeValue(value);
    c.at(node, `signal must be a mapping with a stop key, e.g. signal: {stop: ${example}}, got ${found}`);
    return undefined;
  }
  let stop: NodeJS.Signals | null = null;
  let ok = true;
  for (const pair of node.items) {
    const keyNode = c.deref(pair.key);
    const key = scalarText(keyNode);
    if (key === null) {
      c.at(keyNode, `keys under signal must be plain names such as stop, got ${describeValue(plainValue(keyNode))}`);
      ok = false;
      continue;
    }
    if (key !== 'stop') {
      // zinit ignores the keys it does not know here too: a warning, and the file still loads.
      const meant = c.warningsFull ? null : suggest(key, ['stop']);
      const hint = meant === null ? '; the only key under signal is stop' : `; did you mean ${meant}?`;
      c.warnAt(keyNode, `unknown key signal.${key}${hint}`, 'unknown-key');
      continue;
    }
    const valueNode = c.deref(pair.value);
    if (isEmptyValue(valueNode)) continue;
    const parsed = readSignalName(c, valueNode);
    if (parsed === undefined) ok = false;
    else stop = parsed;
  }
  return ok ? stop : undefined;
}

function readSignalName(c: ErrorCollector, node: YamlNode): NodeJS.Signals | undefined {
  const value = plainValue(node);
  if (typeof value === 'number') {
    const name = Number.isInteger(value) ? signalName(value) : null;
    const hint = name === null ? 'a name such as SIGTERM' : name;
    c.at(node, `signal.stop must be a signal name, got number ${value}; write ${hint}`);
    return undefined;
  }
  if (typeof value !== 'string') {
    c.at(node, `signal.stop must be a signal name such as SIGTERM, got ${describeValue(value)}`);
    return undefined;
  }
  const signal = parseSignal(value);
  if (signal !== null) return signal;
  const short = value.trim().toLowerCase().replace(/^sig/, '');
  const meant = suggest(short, signalNames().map((s) => s.slice(3).toLowerCase()));
  const hint =
    meant === null ? 'use a name such as SIGTERM, SIGINT, SIGQUIT or SIGHUP' : `did you mean SIG${meant.toUpperCase()}?`;
  c.at(node, `signal.stop ${JSON.stringify(value)} is not a signal on this system; ${hint}`);
  return undefined;
}

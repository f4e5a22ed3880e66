// `list`, `status` and `stats` with --yaml: zinit's own method, and its answer printed as zinit's CLI prints it (its fields only, in its order).
import { withClient } from '../connect.js';
import { zinitYaml, type YamlNode } from '../zinit-yaml.js';

/** What zinit's client reads of `service_status`: its struct's five fields (the rest of the answer it drops). */
export interface ZinitStatus {
  readonly name: string;
  readonly pid: number;
  readonly state: string;
  readonly target: string;
  readonly after: Readonly<Record<string, string>>;
}

interface ZinitUsage {
  readonly pid: number;
  readonly memory_usage: number;
  readonly cpu_usage: number;
}

/** What zinit's client reads of `service_stats`. */
export interface ZinitStats extends ZinitUsage {
  readonly name: string;
  readonly children: readonly ZinitUsage[];
}

export function listDocument(states: Readonly<Record<string, string>>): YamlNode {
  return new Map(Object.entries(states));
}

export function statusDocument(s: ZinitStatus): YamlNode {
  return new Map<string, YamlNode>([
    ['name', s.name],
    ['pid', s.pid],
    ['state', s.state],
    ['target', s.target],
    ['after', new Map(Object.entries(s.after))],
  ]);
}

const usage = (u: ZinitUsage): [string, YamlNode][] => [
  ['pid', u.pid],
  ['memory_usage', u.memory_usage],
  ['cpu_usage', { f32: u.cpu_usage }],
];

export function statsDocument(s: ZinitStats): YamlNode {
  return new Map<string, YamlNode>([['name', s.name], ...usage(s), ['children', s.children.map((c) => new Map(usage(c)))]]);
}

export async function printListYaml(socket: string): Promise<void> {
  print(listDocument(await withClient(socket, (c) => c.call('service_list'))));
}

export async function printStatusYaml(socket: string, name: string): Promise<void> {
  print(statusDocument(await withClient(socket, (c) => c.call('service_status', [name]))));
}

export async function printStatsYaml(socket: string, name: string): Promise<void> {
  print(statsDocument(await withClient(socket, (c) => c.call('service_stats', [name]))));
}

function print(doc: YamlNode): void {
  process.stdout.write(zinitYaml(doc));
}

// What is wrong with a service's dependencies, worded once for the daemon (why a service waits) and for `check`.

/** The fix for a dependency with no service file. */
function addOrRemove(dep: string): string {
  return `add ${dep}.yaml or remove it from \`after\``;
}

/** Services that wait on each other in a circle, none of which can start. */
export function cycleMessage(cycle: readonly string[]): string {
  return `dependency cycle: ${cycle.join(' → ')}; remove one of these \`after\` entries`;
}

/** Why a service waits on a dependency that has no service file. */
export function undefinedDependency(dep: string): string {
  return `dependency "${dep}" is not defined; ${addOrRemove(dep)}`;
}

/** Why a service waits on a dependency whose file did not load, with that file's first error. */
export function invalidDependency(dep: string, error: string): string {
  return `dependency "${dep}" has an invalid service file: ${error}`;
}

/** `check`'s problem for the service in `file` after a dependency with no service file. */
export function undefinedDependencyOf(file: string, dep: string): string {
  return `${file}: depends on "${dep}", which has no service file; ${addOrRemove(dep)}`;
}

/** `check`'s problem for the service in `file` after a dependency whose file is invalid. */
export function invalidDependencyOf(file: string, dep: string): string {
  return `${file}: depends on "${dep}", whose file is invalid`;
}

// Which strings may name a service (file stems and `after` entries).

const NAME_RE = /^[A-Za-z0-9_.@:-]+$/;

/** Why `name` cannot be a service name, or null when it can. */
export function serviceNameProblem(name: string): string | null {
  if (name === '') return 'a service name must not be empty';
  if (name.includes('/') || name.includes('\\')) {
    return `service name ${JSON.stringify(name)} must not contain "/" or "\\"`;
  }
  if (name.startsWith('.')) return `service name ${JSON.stringify(name)} must not start with "."`;
  if (!NAME_RE.test(name)) {
    return `service name ${JSON.stringify(name)} may only use letters, digits and _ . @ : -`;
  }
  return null;
}

export function isValidServiceName(name: string): boolean {
  return serviceNameProblem(name) === null;
}

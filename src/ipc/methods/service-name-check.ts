// The names create, get, delete and monitor accept: zinit's rule (no "/", "\", ".") and the one service files follow.
import { serviceNameProblem } from '../../config/service-name.js';
import { InvalidServiceNameError } from '../../errors/errors.js';

/** Throws INVALID_PARAMS, with zinit's data, for a name these methods refuse; `action` is zinit's word for the method. */
export function checkServiceName(action: string, name: string): void {
  // zinit refuses any "." (no "a.b"), though a file a.b.yaml loads at boot: these methods follow zinit.
  if (/[/\\.]/.test(name)) throw new InvalidServiceNameError(action, name);
  if (serviceNameProblem(name) !== null) {
    throw new InvalidServiceNameError(action, name, 'A service name is one or more letters, digits and _ @ : - (no "/", "\\" or ".")');
  }
}

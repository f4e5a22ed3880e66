// What to tell the operator about a service file that was not read: its kind, size or link, and what to do.
import type { ReadRefusal } from '../os/read-regular-file.js';
import { MAX_FILE_BYTES } from './limits.js';
import type { ConfigErrorCode } from './types.js';

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

const MOVE_IT = 'move it out of the config directory';

export function refusalMessage(r: ReadRefusal): { message: string; code: ConfigErrorCode } {
  switch (r.kind) {
    case 'not-regular': {
      const what = r.linkTarget === null ? `is ${r.what}` : `is a symbolic link to ${r.linkTarget}, ${r.what}`;
      return { code: 'not-regular-file', message: `${what}, not a regular file; a service file must be a regular file (or a symbolic link to one): ${MOVE_IT}` };
    }
    case 'too-large': {
      const size = r.size === null ? `more than ${mib(MAX_FILE_BYTES)}` : `${mib(r.size)} (${r.size} bytes)`;
      return { code: 'too-large', message: `the file is ${size}, over the ${mib(MAX_FILE_BYTES)} (${MAX_FILE_BYTES} bytes) limit for a service file; a service file holds one service's keys: remove what does not belong there` };
    }
    case 'dangling-link':
      return { code: 'unreadable', message: `is a symbolic link to ${r.linkTarget}, which does not exist; fix the link or remove it` };
    case 'link-loop':
      return { code: 'unreadable', message: 'is a symbolic link that leads back to itself (a loop); fix the link or remove it' };
    case 'unreadable': {
      const reason = r.errno === 'EACCES' || r.errno === 'EPERM' ? 'permission denied; fix its permissions' : r.message;
      return { code: 'unreadable', message: `cannot read the file (${reason})` };
    }
  }
}

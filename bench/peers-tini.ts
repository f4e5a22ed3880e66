// tini under test: its one child is a script that starts every service's command; SIGTERM to tini, forwarded to the child's process group (-g).
import path from 'node:path';
import { debianProbe, shellJoin, writeExecutable, type Peer, type Probe } from './peers.js';

export const tiniPeer: Peer = {
  name: 'tini',
  probe: (): Promise<Probe> => Promise.resolve(debianProbe('tini', 'tini')),
  launch: async (ns, dir, work) => {
    const script = path.join(dir, 'start-all.sh');
    writeExecutable(script, `#!/bin/sh\n${work.services.map((s) => `${shellJoin(s.argv)} &`).join('\n')}\nwait\n`);
    // -s: not PID 1 here, so become a subreaper; -g: signal the child's whole process group, tini's best effort at a group stop.
    const pid = await ns.start(['tini', '-s', '-g', '--', '/bin/sh', script], path.join(dir, 'manager.log'));
    return {
      pid,
      stop: { signal: 'SIGTERM' },
      stopLabel: 'SIGTERM to tini -g',
      measuredPids: () => Promise.resolve([pid]),
      statusCommand: null,
    };
  },
};

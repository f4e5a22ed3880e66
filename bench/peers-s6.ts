// s6 under test: a scandir with one service directory per service (timeout-kill for the grace), s6-svscan stopped by SIGTERM (= s6-svscanctl -t).
import fs from 'node:fs';
import path from 'node:path';
import { debianProbe, shellJoin, writeExecutable, type Peer, type Probe } from './peers.js';

export const s6Peer: Peer = {
  name: 's6',
  probe: (): Promise<Probe> => Promise.resolve(debianProbe('s6-svscan', 's6')),
  launch: async (ns, dir, work) => {
    const scan = path.join(dir, 'scan');
    fs.mkdirSync(path.join(scan, '.s6-svscan'), { recursive: true });
    for (const s of work.services) {
      const sdir = path.join(scan, s.name);
      writeExecutable(path.join(sdir, 'run'), `#!/bin/sh\nexec ${shellJoin(s.argv)}\n`);
      // s6-supervise SIGKILLs the service this many ms after the down signal; without the file it waits forever.
      if (work.graceMs !== null) fs.writeFileSync(path.join(sdir, 'timeout-kill'), `${work.graceMs}\n`);
    }
    const pid = await ns.start(['s6-svscan', scan], path.join(dir, 'manager.log'));
    return {
      pid,
      stop: { signal: 'SIGTERM' },
      stopLabel: 'SIGTERM to s6-svscan (as s6-svscanctl -t)',
      measuredPids: (n) => n.group(pid, 's6-supervise'),
      // s6 has no "list everything": one s6-svstat per service directory.
      statusCommand: { argv: ['/bin/sh', '-c', `for d in ${scan}/*/; do s6-svstat "$d"; done`] },
    };
  },
};

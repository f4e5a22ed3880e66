// supervisord under test: one [program:x] per service with stopasgroup/killasgroup, run in the foreground, stopped by SIGTERM.
import fs from 'node:fs';
import path from 'node:path';
import { debianProbe, shellJoin, type Peer, type Probe } from './peers.js';

function config(dir: string, work: Parameters<Peer['launch']>[2]): string {
  const sock = path.join(dir, 'supervisor.sock');
  const head = [
    '[supervisord]',
    'nodaemon=true',
    `logfile=${path.join(dir, 'supervisord.log')}`,
    `pidfile=${path.join(dir, 'supervisord.pid')}`,
    // Three pipes per program: the default 1024 descriptors would refuse 200 programs.
    'minfds=8192',
    '[unix_http_server]',
    `file=${sock}`,
    '[rpcinterface:supervisor]',
    'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
    '[supervisorctl]',
    `serverurl=unix://${sock}`,
  ];
  const programs = work.services.flatMap((s) => [
    `[program:${s.name}]`,
    `command=${shellJoin(s.argv)}`,
    'autostart=true',
    'autorestart=true',
    'stopasgroup=true',
    'killasgroup=true',
    ...(work.graceMs === null ? [] : [`stopwaitsecs=${Math.max(1, Math.round(work.graceMs / 1000))}`]),
    'stdout_logfile=NONE',
    'redirect_stderr=true',
  ]);
  return `${[...head, ...programs].join('\n')}\n`;
}

export const supervisordPeer: Peer = {
  name: 'supervisord',
  probe: (): Promise<Probe> => Promise.resolve(debianProbe('supervisord', 'supervisor')),
  launch: async (ns, dir, work) => {
    const conf = path.join(dir, 'supervisord.conf');
    fs.writeFileSync(conf, config(dir, work));
    const pid = await ns.start(['supervisord', '-n', '-c', conf], path.join(dir, 'manager.log'));
    return {
      pid,
      stop: { signal: 'SIGTERM' },
      stopLabel: 'SIGTERM to supervisord',
      measuredPids: () => Promise.resolve([pid]),
      statusCommand: { argv: ['supervisorctl', '-c', conf, 'status'] },
    };
  },
};

// Every manager under test, in table order, and a probe of which ones are here.
import { PEER_NAMES, type Peer, type PeerName, type Probe } from './peers.js';
import { pm2Peer } from './peers-pm2.js';
import { s6Peer } from './peers-s6.js';
import { supervisordPeer } from './peers-supervisord.js';
import { tiniPeer } from './peers-tini.js';
import { zinitPeer } from './peers-zinit.js';

export const PEERS: readonly Peer[] = [zinitPeer, tiniPeer, supervisordPeer, s6Peer, pm2Peer];

/** Peers named on the command line (or in ZINIT_BENCH_PEERS, comma-separated), else all of them. */
export function selectedPeers(names: readonly string[] = (process.env.ZINIT_BENCH_PEERS ?? '').split(',').filter(Boolean)): Peer[] {
  if (names.length === 0) return [...PEERS];
  const unknown = names.filter((n) => !(PEER_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`unknown peer ${unknown.join(', ')}; known: ${PEER_NAMES.join(', ')}`);
  return PEERS.filter((p) => names.includes(p.name));
}

export async function probeAll(peers: readonly Peer[]): Promise<Map<PeerName, Probe>> {
  const out = new Map<PeerName, Probe>();
  for (const p of peers) out.set(p.name, await p.probe());
  return out;
}

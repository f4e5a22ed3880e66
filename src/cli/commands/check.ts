// `check`: validate a config directory without running anything; print start and stop order and the worst-case shutdown time.
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('validate service files, print start and stop order; non-zero exit on any error')
    .option('-c, --config <dir>', 'config directory', '/etc/zinit')
    .option('--budget <seconds>', "warn when the worst-case shutdown exceeds this (e.g. a pod's terminationGracePeriodSeconds)")
    .option('--require-cgroup', 'a limit (memory_max, pids_max, …) the kernel cannot enforce on this machine is an error')
    .action(async (o: { config: string; budget?: string; requireCgroup?: boolean }) => {
      // Loaded only for `check`, so the other commands start fast.
      const [{ loadConfigDir }, { strictLoad }, { formatConfigError }, { buildDependencyGraph }, { cycleMessage, invalidDependencyOf, undefinedDependencyOf }, { resolveIdentity }] = await Promise.all([
        import('../../config/load-dir.js'),
        import('../../config/strict-load.js'),
        import('../../config/format-error.js'),
        import('../../graph/dependency-graph.js'),
        import('../../graph/dependency-messages.js'),
        import('../../os/identity.js'),
      ]);
      // The daemon loads a file despite an unknown key (zinit ignores it); check holds the file to every key.
      const { services, errors } = strictLoad(await loadConfigDir(o.config, resolveIdentity).catch((err: Error) => {
        throw new CliError(err.message);
      }));
      const problems = errors.map(formatConfigError);
      const graph = buildDependencyGraph([...services.values()].map((s) => ({ name: s.name, after: s.after })));
      const broken = new Set(errors.map((e) => e.service));
      for (const [name, deps] of graph.missing) {
        for (const dep of deps) {
          const file = services.get(name)?.source ?? name;
          problems.push(broken.has(dep) ? invalidDependencyOf(file, dep) : undefinedDependencyOf(file, dep));
        }
      }
      for (const cycle of graph.cycles) problems.push(cycleMessage(cycle));
      const out: string[] = [`${services.size} service(s) valid, ${new Set(errors.map((e) => e.service)).size} invalid`];
      out.push('start order:');
      graph.startLevels().forEach((level, i) => out.push(`  ${i + 1}. ${level.join(', ')}`));
      out.push('stop order:');
      graph.stopLevels().forEach((level, i) => out.push(`  ${i + 1}. ${level.join(', ')}`));
      const worst = graph.longestChain((n) => services.get(n)?.shutdownTimeoutMs ?? 0);
      out.push(`worst-case shutdown: ${(worst.total / 1000).toFixed(1)} s (${worst.path.join(' → ') || 'no services'})`);
      process.stdout.write(`${out.join('\n')}\n`);
      if (o.budget !== undefined) {
        const budget = Number(o.budget);
        if (!Number.isFinite(budget) || budget < 0) throw new CliError(`--budget must be a number of seconds, got "${o.budget}"`);
        if (worst.total / 1000 > budget) {
          problems.push(`worst-case shutdown ${(worst.total / 1000).toFixed(1)} s exceeds the budget of ${budget} s; lower shutdown_timeout along ${worst.path.join(' → ')} or raise terminationGracePeriodSeconds`);
        }
      }
      const limited = [...services.values()].filter((c) => Object.values(c.limits).some((v) => v !== null));
      if (limited.length > 0) {
        const { limitsHere } = await import('../../os/cgroup-here.js');
        for (const line of limitsHere(limited)) {
          if (line.enforced) process.stdout.write(`limits: ${line.text}\n`);
          else if (o.requireCgroup === true) problems.push(`limits: ${line.text} (--require-cgroup)`);
          else process.stdout.write(`limits: ${line.text}\n`);
        }
      }
      for (const p of problems) process.stderr.write(`${p}\n`);
      if (problems.length > 0) process.exitCode = 1;
    });
}

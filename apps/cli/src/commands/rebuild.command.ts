import { loadConfig } from '@rapport/api';
import {
  openReadModels,
  type ReadModels,
  projectionNamed,
  REBUILDABLE_PROJECTIONS,
  type RebuildableProjection,
  UnknownProjectionError,
  UnknownReadModelStoreError,
} from '@rapport/read-models';
import { type Command } from 'commander';
import { addStoreOption, openStoreOption } from '../support/event-store-option';
import { Progress } from '../support/progress';
import { StopSignal } from '../support/stop-signal';
import { intOption, UsageError } from '../support/usage-error';

interface RebuildOptions {
  all?: boolean;
  store?: string;
  readModels?: string;
  restart?: boolean;
  batch: number;
  progress: boolean;
}

export function registerRebuildCommand(program: Command): void {
  const command = program
    .command('rebuild')
    .argument('[projection]', `the projection to rebuild: ${REBUILDABLE_PROJECTIONS.join(', ')}`)
    .description(
      'rebuild a read model blue/green: a new version beside the live one, caught up with the log, switched atomically, the old one dropped',
    )
    .option('--all', 'every projection, one after the other');
  addStoreOption(command);
  command
    .option(
      '--read-models <url>',
      'the read models (default: RAPPORT_READ_MODELS): redis://host:6379/0?prefix=rapport:',
    )
    .option('--restart', "drop a stopped rebuild's half-built version and start over")
    .option('--batch <n>', 'log events per batch', intOption(1, 100_000), 1000)
    .option('--no-progress', 'no progress bar on stderr')
    .addHelpText(
      'after',
      `
Queries are answered by the live version throughout; the new one goes live in one atomic
step once it has applied at least as much of the log as the live one, and the running
projector carries on writing it from its checkpoint. Nothing is sent or appended: only the
read model's projection runs (the idea notifier keeps its own checkpoint in the log).
Ctrl-C stops after the batch in hand: the live version stays live, and the half-built one is
kept, so the same command resumes it (--restart starts over). One rebuild per projection at
a time. Run it with the projector's RAPPORT_CLOSENESS and RAPPORT_IDENTITY_POLICY.
In-memory read models live inside the process serving them: POST
/v1/admin/projections/<name>/rebuild to it instead.`,
    )
    .action(async (name: string | undefined, options: RebuildOptions) => {
      if (Boolean(name) === Boolean(options.all))
        throw new UsageError(
          `name one projection (${REBUILDABLE_PROJECTIONS.join(', ')}) or --all, not ${name ? 'both' : 'neither'}`,
        );
      const url = options.readModels ?? process.env.RAPPORT_READ_MODELS;
      let readModels: ReadModels | null = null;
      try {
        if (url) readModels = openReadModels(url, () => loadConfig(process.env));
      } catch (error) {
        if (!(error instanceof UnknownReadModelStoreError)) throw error;
        throw new UsageError(`--read-models ${url}: use redis://host:6379/0[?prefix=…]`);
      }
      if (!readModels || readModels.inProcess)
        throw new UsageError(
          `${url ? 'in-memory read models live inside the process serving them' : 'no read models named (--read-models or RAPPORT_READ_MODELS)'}: rebuild Redis ones here, or POST /v1/admin/projections/<name>/rebuild to the running process`,
        );
      let chosen: readonly RebuildableProjection[];
      try {
        const all = readModels.projections;
        chosen = name ? [projectionNamed(all, name)] : all;
      } catch (error) {
        await readModels.close();
        if (!(error instanceof UnknownProjectionError)) throw error;
        throw new UsageError(
          name === 'identity-resolution'
            ? `identity-resolution keeps no read model (its decisions are in the log) and is never rebuilt; the projections are ${error.known.join(', ')}`
            : error.message,
        );
      }
      const store = await openStoreOption(options);
      const stop = new StopSignal();
      const aborted = new AbortController();
      const watch = setInterval(() => stop.stopRequested && aborted.abort(), 100);
      try {
        for (const projection of chosen) {
          const bar = options.progress ? new Progress(projection.name) : null;
          let started = false;
          const run = await projection.rebuild(store, {
            signal: aborted.signal,
            restart: options.restart,
            batchSize: options.batch,
            onProgress: ({ position, head }) => {
              if (!started) bar?.start(head, position);
              else bar?.update(position, head);
              started = true;
            },
          });
          const outcome = await run.done.finally(() => bar?.stop());
          const events = outcome.position - outcome.resumedFrom;
          const rate = Math.round(events / Math.max(outcome.ms / 1000, 0.001));
          if (outcome.status === 'stopped') {
            console.log(
              `${outcome.name}: stopped at position ${outcome.position}; version ${outcome.previousVersion} stays live. Run the same command to resume version ${outcome.version} (--restart to start over)`,
            );
            process.exitCode = 130;
            return;
          }
          console.log(
            `${outcome.name}: version ${outcome.version} is live at position ${outcome.position} (was version ${outcome.previousVersion}, now dropped); ${events} events${outcome.resumedFrom ? ` after resuming at ${outcome.resumedFrom}` : ''} in ${(outcome.ms / 1000).toFixed(1)} s, ${rate} events/s`,
          );
        }
      } finally {
        clearInterval(watch);
        stop.dispose();
        await store.close();
        await readModels.close();
      }
    });
}

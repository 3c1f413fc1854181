import { createHash } from 'node:crypto';
import { migrateLog, openEventStore, verifyMigration } from '@rapport/event-store';
import { type Command } from 'commander';
import { CheckpointFile } from '../support/checkpoint-file';
import { Progress } from '../support/progress';
import { StopSignal } from '../support/stop-signal';
import { intOption } from '../support/usage-error';

interface MigrateOptions {
  from: string;
  to: string;
  batch: number;
  checkpoint?: string;
  verify: boolean;
}

/** Where a migration between two stores keeps its checkpoint unless told otherwise. */
export function defaultCheckpointFile(from: string, to: string): string {
  return `.rapport-migrate-${createHash('sha256').update(`${from}\n${to}`).digest('hex').slice(0, 12)}.json`;
}

export function registerMigrateLogCommand(program: Command): void {
  program
    .command('migrate-log')
    .description(
      'copy the whole event log from one store to another, keeping ids, stream revisions and order; resumable, verified at the end',
    )
    .requiredOption('--from <url>', 'source store: sqlite:<file>, postgres://…, esdb://…')
    .requiredOption('--to <url>', 'target store (the same forms)')
    .option('--batch <n>', 'events per read and per durable write', intOption(1, 100_000), 1000)
    .option(
      '--checkpoint <file>',
      'where progress is kept for resuming (default: .rapport-migrate-<hash>.json here)',
    )
    .option('--no-verify', 'skip the verification pass that compares both logs event by event')
    .addHelpText(
      'after',
      '\nInterrupted (Ctrl-C, a crash)? Run the same command again: it resumes from its checkpoint,\nand events copied after the checkpoint was saved are recognised by their ids and not copied twice.',
    )
    .action(async (options: MigrateOptions) => {
      const checkpointFile = options.checkpoint ?? defaultCheckpointFile(options.from, options.to);
      const checkpoint = new CheckpointFile(checkpointFile, { from: options.from, to: options.to });
      const after = checkpoint.read();
      const [source, target] = await Promise.all([
        // The log as stored: a copy keeps every event in the schema version it was written in.
        openEventStore(options.from, { raw: true }),
        openEventStore(options.to, { raw: true }),
      ]);
      const stop = new StopSignal();
      try {
        const total = await source.headPosition();
        if (after > 0)
          console.log(`resuming after source position ${after} (checkpoint ${checkpointFile})`);
        const bar = new Progress('copying').start(total, after);
        const started = Date.now();
        const result = await migrateLog(source, target, {
          after,
          batchSize: options.batch,
          shouldStop: () => stop.stopRequested,
          onProgress: (p) => {
            checkpoint.write(p.checkpoint);
            bar.update(p.checkpoint);
          },
        });
        bar.stop();
        if (result.stopped) {
          console.log(
            `stopped at source position ${result.checkpoint}; run the same command to resume`,
          );
          process.exitCode = 130;
          return;
        }
        const seconds = (Date.now() - started) / 1000;
        console.log(
          `copied ${result.handled - result.alreadyThere} events (${result.alreadyThere} were already in the target) in ${seconds.toFixed(1)} s: ${Math.round(result.handled / Math.max(seconds, 0.001))} events/s`,
        );
        if (options.verify) {
          const check = new Progress('verifying').start(total);
          const verification = await verifyMigration(source, target, {
            onProgress: (n) => check.update(n),
          });
          check.stop();
          if (verification.mismatches.length > 0) {
            console.error(
              `verification FAILED after ${verification.compared} events:\n  ${verification.mismatches.join('\n  ')}`,
            );
            process.exitCode = 1;
            return;
          }
          console.log(
            `verified: ${verification.compared} events identical in both logs (ids, streams, revisions, types, data, metadata, order)`,
          );
        }
        checkpoint.remove();
      } finally {
        stop.dispose();
        await Promise.all([source.close(), target.close()]);
      }
    });
}

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { migrateLog, openEventStore, verifyMigration } from '@rapport/event-store';
import { SingleBar, Presets } from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';

interface MigrateOptions {
  from: string;
  to: string;
  batch: number;
  checkpoint?: string;
  verify: boolean;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000)
    throw new InvalidArgumentError('a whole number from 1 to 100000');
  return n;
}

/** Where a migration between two stores keeps its checkpoint unless told otherwise. */
export function defaultCheckpointFile(from: string, to: string): string {
  return `.rapport-migrate-${createHash('sha256').update(`${from}\n${to}`).digest('hex').slice(0, 12)}.json`;
}

function readCheckpoint(file: string, from: string, to: string): number {
  if (!existsSync(file)) return 0;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as {
    from: string;
    to: string;
    checkpoint: number;
  };
  if (saved.from !== from || saved.to !== to)
    throw new Error(`${file} belongs to a migration from ${saved.from} to ${saved.to}`);
  return saved.checkpoint;
}

function writeCheckpoint(file: string, from: string, to: string, checkpoint: number): void {
  // Written beside, then renamed: a crash never leaves a half-written checkpoint.
  writeFileSync(
    `${file}.tmp`,
    JSON.stringify({ from, to, checkpoint, savedAt: new Date().toISOString() }),
  );
  renameSync(`${file}.tmp`, file);
}

export function registerMigrateLogCommand(program: Command): void {
  program
    .command('migrate-log')
    .description(
      'copy the whole event log from one store to another, keeping ids, stream revisions and order; resumable, verified at the end',
    )
    .requiredOption('--from <url>', 'source store: sqlite:<file>, postgres://…, esdb://…')
    .requiredOption('--to <url>', 'target store (the same forms)')
    .option('--batch <n>', 'events per read and per durable write', positiveInt, 1000)
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
      const after = readCheckpoint(checkpointFile, options.from, options.to);
      const [source, target] = await Promise.all([
        // The log as stored: a copy keeps every event in the schema version it was written in.
        openEventStore(options.from, { raw: true }),
        openEventStore(options.to, { raw: true }),
      ]);
      let stopRequested = false;
      const onSigint = () => {
        if (stopRequested) process.exit(130);
        stopRequested = true;
        process.stderr.write(
          '\nstopping after the current batch (Ctrl-C again to abort at once)…\n',
        );
      };
      process.on('SIGINT', onSigint);
      try {
        const total = await source.headPosition();
        if (after > 0)
          console.log(`resuming after source position ${after} (checkpoint ${checkpointFile})`);
        const bar = new SingleBar(
          {
            format:
              'copying   [{bar}] {percentage}% | {value}/{total} | {rate} events/s | ETA {eta_formatted}',
            hideCursor: true,
            noTTYOutput: true,
            notTTYSchedule: 5000,
          },
          Presets.shades_classic,
        );
        const started = Date.now();
        bar.start(total, after, { rate: 0 });
        const result = await migrateLog(source, target, {
          after,
          batchSize: options.batch,
          shouldStop: () => stopRequested,
          onProgress: (p) => {
            writeCheckpoint(checkpointFile, options.from, options.to, p.checkpoint);
            bar.update(p.checkpoint, {
              rate: Math.round(p.handled / Math.max(0.001, (Date.now() - started) / 1000)),
            });
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
          const check = new SingleBar(
            {
              format: 'verifying [{bar}] {percentage}% | {value}/{total}',
              hideCursor: true,
              noTTYOutput: true,
              notTTYSchedule: 5000,
            },
            Presets.shades_classic,
          );
          check.start(total, 0);
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
        rmSync(checkpointFile, { force: true });
      } finally {
        process.off('SIGINT', onSigint);
        await Promise.all([source.close(), target.close()]);
      }
    });
}

import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Command, Option } from 'commander';
import { exportLog } from '../export/export-log';
import { EXPORT_FORMATS, type ExportFormat } from '../export/export-writers';
import {
  addSelectionOptions,
  type LogSelectionOptions,
  parseLogSelection,
  SELECTION_HELP,
} from '../log/log-selection';
import { addStoreOption, openStoreOption } from '../support/event-store-option';
import { Progress } from '../support/progress';
import { StopSignal } from '../support/stop-signal';
import { intOption, UsageError } from '../support/usage-error';

interface ExportOptions extends LogSelectionOptions {
  store?: string;
  format: ExportFormat;
  out: string;
  batch: number;
  progress: boolean;
}

export function registerExportCommand(program: Command): void {
  const command = program
    .command('export')
    .description(
      'write the (filtered) event log, in log order, to NDJSON or Parquet for standard data tools',
    )
    .addOption(
      new Option('--format <format>', 'ndjson or parquet')
        .choices(EXPORT_FORMATS)
        .makeOptionMandatory(),
    )
    .requiredOption(
      '--out <file|->',
      'the file to write (replaced when complete), or - for stdout',
    );
  addStoreOption(command);
  addSelectionOptions(command, 'first event: a log position (inclusive) or an ISO time');
  command
    .option('--batch <n>', 'log positions per read', intOption(1, 100_000), 5000)
    .option('--no-progress', 'no progress bar on stderr')
    .addHelpText(
      'after',
      `${SELECTION_HELP}

Columns (NDJSON keys and Parquet columns alike): position, event_id, stream_id, revision,
type, recorded_at, occurred_at, customer_id, channel, source, data (JSON), metadata (JSON).
The file is written as <file>.partial (mode 0600) and renamed when complete; a failed export
removes it. Ctrl-C stops after the
current batch and completes a valid file with the events up to there; it prints the
--from to export the rest with.

Examples:
  rapport export --format parquet --out log.parquet
  rapport export --format ndjson --out - --type survey.responded --from 2026-03-01T00:00:00Z | jq .
  duckdb -c "SELECT channel, count(*) FROM 'log.parquet' GROUP BY ALL"`,
    )
    .action(async (options: ExportOptions) => {
      const selection = parseLogSelection(options);
      if (options.out !== '-' && !existsSync(dirname(options.out) || '.'))
        throw new UsageError(
          `--out ${options.out}: the folder ${dirname(options.out)} does not exist`,
        );
      if (existsSync(options.out) && statSync(options.out).isDirectory())
        throw new UsageError(`--out ${options.out}: is a folder; name a file`);
      const store = await openStoreOption(options);
      const stop = new StopSignal();
      const bar = options.progress ? new Progress('exporting') : null;
      try {
        const started = Date.now();
        const result = await exportLog(store, selection, {
          format: options.format,
          out: options.out,
          batchSize: options.batch,
          shouldStop: () => stop.stopRequested,
          onProgress: (read, total) => (read === 0 ? bar?.start(total) : bar?.update(read)),
        });
        bar?.stop();
        const seconds = (Date.now() - started) / 1000;
        const where = options.out === '-' ? 'stdout' : options.out;
        const summary = `exported ${result.exported} events (log positions ${result.after + 1}–${result.reached}) to ${where} in ${seconds.toFixed(1)} s: ${Math.round((result.reached - result.after) / Math.max(seconds, 0.001))} log events/s read`;
        if (result.stopped) {
          process.stderr.write(
            `stopped: ${summary}; the file is complete up to position ${result.reached}; export the rest with --from ${result.reached + 1}\n`,
          );
          process.exitCode = 130;
        } else process.stderr.write(`${summary}\n`);
      } finally {
        bar?.stop();
        stop.dispose();
        await store.close();
      }
    });
}

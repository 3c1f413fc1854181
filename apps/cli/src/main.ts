import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { registerAdapterKeysCommand } from './commands/adapter-keys.command';
import { registerDevCommand } from './commands/dev.command';
import { registerExportCommand } from './commands/export.command';
import { registerForgetCommand } from './commands/forget.command';
import { registerMigrateLogCommand } from './commands/migrate-log.command';
import { registerPseudonymiseLogCommand } from './commands/pseudonymise-log.command';
import { registerRebuildCommand } from './commands/rebuild.command';
import { registerReplayCommand } from './commands/replay.command';
import { registerStatsCommand } from './commands/stats.command';
import { registerTailCommand } from './commands/tail.command';
import {
  exitQuietlyWhenOutputCloses,
  OUTPUT_CLOSED_EXIT_CODE,
  OutputClosedError,
} from './support/closed-output';
import { USAGE_EXIT_CODE, UsageError } from './support/usage-error';

// First, before anything is written: a reader that goes away (`| head`) ends us quietly.
exitQuietlyWhenOutputCloses();

const program = new Command()
  .name('rapport')
  .description('Rapport: event-sourced omnichannel customer interactions')
  // Bad input is one line on stderr and exit status 2 (commander's own errors included).
  .configureOutput({
    outputError: (message, write) => write(`${message.trimEnd()} (see --help)\n`),
  })
  .exitOverride();

registerDevCommand(program);
registerMigrateLogCommand(program);
registerPseudonymiseLogCommand(program);
registerExportCommand(program);
registerReplayCommand(program);
registerRebuildCommand(program);
registerStatsCommand(program);
registerTailCommand(program);
registerAdapterKeysCommand(program);
registerForgetCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) {
    // Already printed by commander; --help and --version end with exit code 0.
    process.exit(error.exitCode === 0 ? 0 : USAGE_EXIT_CODE);
  }
  // An export to stdout writes it itself (writeSync) and learns of a closed pipe here.
  if (error instanceof OutputClosedError) process.exit(OUTPUT_CLOSED_EXIT_CODE);
  if (error instanceof UsageError) {
    console.error(`error: ${error.message}`);
    process.exit(USAGE_EXIT_CODE);
  }
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

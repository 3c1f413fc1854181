import 'reflect-metadata';
import { Command } from 'commander';
import { registerDevCommand } from './commands/dev.command';
import { registerMigrateLogCommand } from './commands/migrate-log.command';

const program = new Command()
  .name('rapport')
  .description('Rapport: event-sourced omnichannel customer interactions')
  .showHelpAfterError();

registerDevCommand(program);
registerMigrateLogCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

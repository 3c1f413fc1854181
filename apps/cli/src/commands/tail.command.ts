import { type RecordedEvent } from '@rapport/event-store';
import { type Command } from 'commander';
import { toExportRecord, toNdjsonLine } from '../export/export-record';
import {
  addSelectionOptions,
  type LogSelectionOptions,
  parseLogSelection,
  readSelection,
  resolveRange,
  SELECTION_HELP,
  selectionFilter,
} from '../log/log-selection';
import { addStoreOption, openStoreOption } from '../support/event-store-option';
import { intOption, UsageError } from '../support/usage-error';

interface TailOptions extends LogSelectionOptions {
  store?: string;
  follow?: boolean;
  ndjson?: boolean;
  last: number;
}

/** One line a person can read: position, commit time, type, stream, channel, source and a short summary. */
export function humanLine(event: RecordedEvent): string {
  const data = (event.data ?? {}) as {
    channel?: string;
    direction?: string;
    content?: { subject?: string; text?: string };
    answer?: { kind?: string; score?: number };
    comment?: string;
  };
  const meta = (event.metadata ?? {}) as { ce?: { source?: string } };
  const summary = data.answer
    ? `${data.answer.kind} ${data.answer.score}${data.comment ? ` “${data.comment}”` : ''}`
    : (data.content?.subject ?? data.content?.text ?? '');
  const short = summary.replace(/\s+/g, ' ').slice(0, 80);
  return [
    `#${event.position}`,
    event.recordedAt,
    event.type,
    event.streamId,
    [data.channel, data.direction].filter(Boolean).join('/') || '-',
    meta.ce?.source ?? '-',
    short ? `“${short}”` : '',
  ]
    .join('  ')
    .trimEnd();
}

export function registerTailCommand(program: Command): void {
  const command = program
    .command('tail')
    .description(
      'show the end of the log, filtered, human readable or NDJSON; --follow for live appends',
    );
  addStoreOption(command);
  addSelectionOptions(command, 'start here instead of --last positions before the head');
  command
    .option('-f, --follow', 'keep going: print events as they are appended, until Ctrl-C')
    .option('--ndjson', 'one JSON object per line (the export columns) instead of text')
    .option(
      '-n, --last <n>',
      'start this many log positions before the head',
      intOption(0, 10_000_000),
      20,
    )
    .addHelpText(
      'after',
      `${SELECTION_HELP}

Examples:
  rapport tail --follow --channel chat
  rapport tail --last 1000 --type survey.responded --ndjson | jq .data.answer`,
    )
    .action(async (options: TailOptions) => {
      const selection = parseLogSelection(options);
      if (options.follow && selection.to)
        throw new UsageError('--follow and --to do not go together');
      const store = await openStoreOption(options);
      const print = (events: readonly RecordedEvent[]) => {
        if (events.length === 0) return;
        process.stdout.write(
          options.ndjson
            ? events.map((e) => toNdjsonLine(toExportRecord(e))).join('')
            : `${events.map(humanLine).join('\n')}\n`,
        );
      };
      const filter = selectionFilter(selection);
      try {
        const head = await store.headPosition();
        const range = await resolveRange(
          store,
          selection.from
            ? selection
            : { ...selection, from: { position: Math.max(1, head - options.last + 1) } },
          head,
        );
        let position = range.after;
        for await (const batch of readSelection(store, range, filter)) {
          print(batch.events);
          position = batch.upTo;
        }
        if (!options.follow) return;
        // Live: a catch-up subscription from where the read ended; Ctrl-C ends it cleanly.
        const subscription = store.subscribeToAll(
          { after: position },
          { onEvents: (events) => print(events.filter(filter)) },
        );
        const stop = () => void subscription.stop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        try {
          await subscription.finished;
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      } finally {
        await store.close();
      }
    });
}

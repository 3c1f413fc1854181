import { kafkaFromUrl, parseKafkaBusUrl } from '@rapport/messaging';
import { type Command, Option } from 'commander';
import {
  addSelectionOptions,
  type LogSelectionOptions,
  parseLogSelection,
  SELECTION_HELP,
} from '../log/log-selection';
import { replayToKafka } from '../replay/replay-to-kafka';
import { CheckpointFile } from '../support/checkpoint-file';
import { addStoreOption, openStoreOption, storeUrl } from '../support/event-store-option';
import { Progress } from '../support/progress';
import { StopSignal } from '../support/stop-signal';
import { intOption, UsageError } from '../support/usage-error';

interface ReplayCommandOptions extends LogSelectionOptions {
  store?: string;
  into: string;
  kafka?: string;
  partitions: number;
  mode: 'binary' | 'structured';
  checkpoint?: string;
  restart?: boolean;
  batch: number;
  progress: boolean;
}

const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

function targetTopic(into: string): string {
  const match = /^kafka:(.+)$/.exec(into);
  if (!match || !TOPIC.test(match[1]))
    throw new UsageError(
      `--into ${into}: expected kafka:<topic> (a topic name of letters, digits, '.', '_' and '-')`,
    );
  return match[1];
}

function kafkaUrl(options: { kafka?: string }): string {
  const url =
    options.kafka ??
    (process.env.RAPPORT_BUS?.startsWith('kafka://') ? process.env.RAPPORT_BUS : undefined) ??
    'kafka://127.0.0.1:9092';
  try {
    parseKafkaBusUrl(url);
  } catch (error) {
    throw new UsageError(`--kafka: ${(error as Error).message}`);
  }
  return url;
}

export function registerReplayCommand(program: Command): void {
  const command = program
    .command('replay')
    .description(
      'publish log events, in log order, to a Kafka topic as CloudEvents with their original ids; resumable',
    )
    .requiredOption('--into <kafka:topic>', 'where to publish, e.g. kafka:rapport.replay');
  addStoreOption(command);
  addSelectionOptions(command, 'required: first event, a log position (1 = all) or an ISO time');
  command
    .option(
      '--kafka <url>',
      'brokers and credentials, e.g. kafka://rapport-cli@host:9092?passwordFile=<file> ' +
        '(default: RAPPORT_BUS when it is kafka://…, else kafka://127.0.0.1:9092)',
    )
    .option(
      '--partitions <n>',
      'partitions when the topic is created (default 1: the whole log in order)',
      intOption(1, 1000),
      1,
    )
    .addOption(
      new Option('--mode <mode>', 'CloudEvents Kafka content mode')
        .choices(['binary', 'structured'])
        .default('binary'),
    )
    .option(
      '--checkpoint <file>',
      'where progress is kept (default: .rapport-replay-<hash of the job>.json here)',
    )
    .option('--restart', 'ignore the checkpoint and publish the selection from its start again')
    .option('--batch <n>', 'log positions per read', intOption(1, 100_000), 2000)
    .option('--no-progress', 'no progress bar on stderr')
    .addHelpText(
      'after',
      `${SELECTION_HELP}

Messages: CloudEvents 1.0 (binary mode by default: ce_* headers, data as JSON), key = the
stream id (one customer's events stay in one partition, in order). id and source are the
original CloudEvent's, so consumers deduplicate replayed events as they would the originals;
the extensions rapporteventid, rapportposition, rapportstream and rapportrecordedat say where
each event is in the log.

Resuming: after each batch the broker has acknowledged, the last position is saved in the
checkpoint file. Interrupted (Ctrl-C, a crash, kill -9)? Run the same command again: it goes
on after the checkpoint. At most the batch in flight is published twice (at-least-once).
A finished replay keeps its checkpoint, so running it again publishes only newer events;
--restart publishes everything again.

Example:
  rapport replay --from 2026-03-01T00:00:00Z --type touchpoint.recorded --into kafka:analytics.touchpoints`,
    )
    .action(async (options: ReplayCommandOptions) => {
      if (options.from === undefined)
        throw new UsageError(
          '--from is required (a log position, 1 for everything, or an ISO time)',
        );
      const selection = parseLogSelection(options);
      const topic = targetTopic(options.into);
      const brokers = kafkaUrl(options);
      const job = {
        store: storeUrl(options),
        into: options.into,
        selection: JSON.stringify([
          options.from,
          options.to ?? null,
          options.type ?? null,
          options.channel ?? null,
          options.streamPrefix ?? null,
        ]),
      };
      const checkpoint = new CheckpointFile(
        options.checkpoint ?? CheckpointFile.defaultPath('replay', job),
        job,
      );
      const resumeAfter = options.restart ? 0 : checkpoint.read();
      const store = await openStoreOption(options);
      const kafka = kafkaFromUrl(brokers, 'rapport-replay');
      const stop = new StopSignal();
      const bar = options.progress ? new Progress('replaying') : null;
      try {
        const started = Date.now();
        let first = 0;
        const result = await replayToKafka(store, kafka, selection, {
          topic,
          partitions: options.partitions,
          mode: options.mode,
          resumeAfter,
          batchSize: options.batch,
          shouldStop: () => stop.stopRequested,
          onStart: ({ after, upTo }) => {
            first = after;
            if (resumeAfter > 0)
              process.stderr.write(
                `resuming after log position ${after} (checkpoint ${checkpoint.path})\n`,
              );
            bar?.start(upTo, after);
          },
          onNote: (line) => process.stderr.write(`note: ${line}\n`),
          onBatch: ({ position, total }) => {
            checkpoint.write(position);
            bar?.update(position, total);
          },
        });
        bar?.stop();
        const seconds = (Date.now() - started) / 1000;
        const summary = `published ${result.published} events (log positions ${first + 1}–${result.reached}) to ${topic} in ${seconds.toFixed(1)} s: ${Math.round(result.published / Math.max(seconds, 0.001))} events/s`;
        if (result.stopped) {
          process.stderr.write(
            `stopped: ${summary}; checkpoint ${checkpoint.path} at ${result.reached}: run the same command to resume\n`,
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

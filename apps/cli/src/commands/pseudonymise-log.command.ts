import { existsSync } from 'node:fs';
import {
  DEFAULT_IDENTITY_POLICY,
  parseIdentityPolicy,
  PlainLogError,
  PlainLogPseudonyms,
} from '@rapport/domain';
import { EVENT_STORE_URL_FORMS, type EventStore, openEventStore } from '@rapport/event-store';
import {
  openPersonalData,
  type PersonalData,
  PRIVACY_VARIABLES,
  type PrivacySettings,
  privacySettingsFrom,
} from '@rapport/privacy';
import { type Command } from 'commander';
import {
  learnPlainLog,
  pseudonymiseLog,
  verifyPseudonymisedLog,
} from '../pseudonymise/pseudonymise-log';
import { CheckpointFile } from '../support/checkpoint-file';
import { Progress } from '../support/progress';
import { StopSignal } from '../support/stop-signal';
import { intOption, UsageError } from '../support/usage-error';

interface PseudonymiseOptions {
  from: string;
  to: string;
  batch: number;
  checkpoint?: string;
}

const STORE_URL =
  /^(sqlite|postgres|postgresql|esdb|esdb\+discover|kurrentdb|kurrentdb\+discover):/;

/** The keys the new log is written with; refusing clearly when they are not configured. */
function privacySettings(): PrivacySettings {
  let settings: PrivacySettings | 'off' | undefined;
  try {
    settings = privacySettingsFrom(process.env);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (settings === undefined || settings === 'off')
    throw new UsageError(
      `pseudonymise-log writes a log with pseudonymous keys and encrypted personal data: set ${PRIVACY_VARIABLES} — the ones the platform will run with on the new log${settings === 'off' ? ' (RAPPORT_PRIVACY=off is set)' : ''}`,
    );
  return settings;
}

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

function storeUrlOf(option: string, url: string): string {
  if (!STORE_URL.test(url))
    throw new UsageError(`${option} ${url}: unknown kind of store; use ${EVENT_STORE_URL_FORMS}`);
  return url;
}

/**
 * `rapport pseudonymise-log --from <plain log> --to <new log>`: the one-off move of a log
 * written before pseudonymous keys (plain identities, customer ids derived from them) to the
 * scheme this release writes. A command of its own rather than a `migrate-log` option: it
 * rewrites every event instead of copying it byte for byte, so it has its own preconditions
 * (keys configured, an empty target, a plain source) and its own verification; the copy
 * itself is `migrate-log`'s machinery (`migrateLog`: order, revisions, checkpoint, resume).
 */
export function registerPseudonymiseLogCommand(program: Command): void {
  program
    .command('pseudonymise-log')
    .description(
      'copy a log written with plain identities into a new, empty store with pseudonymous keys and personal data encrypted; resumable, verified at the end',
    )
    .requiredOption('--from <url>', 'the plain log: sqlite:<file>, postgres://…, esdb://…')
    .requiredOption(
      '--to <url>',
      'the new log, empty (the same forms); its data keys live beside it',
    )
    .option('--batch <n>', 'events per read and per durable write', intOption(1, 100_000), 1000)
    .option(
      '--checkpoint <file>',
      'where progress is kept for resuming (default: .rapport-pseudonymise-<hash>.json here)',
    )
    .addHelpText(
      'after',
      `
Needs ${PRIVACY_VARIABLES}: the master key and pepper the platform will run with on the new
log (RAPPORT_SUBJECT_KEYS when the new log is EventStoreDB; RAPPORT_IDENTITY_POLICY as the
platform has it). The source is read only. Interrupted (Ctrl-C, a crash)? Run the same
command again: it resumes from its checkpoint. docs/privacy.md#moving-an-existing-log-to-pseudonymous-keys`,
    )
    .action(async (options: PseudonymiseOptions) => {
      const settings = privacySettings();
      const from = storeUrlOf('--from', options.from);
      const to = storeUrlOf('--to', options.to);
      if (from === to) throw new UsageError('--from and --to name the same store');
      const policy = process.env.RAPPORT_IDENTITY_POLICY
        ? parseIdentityPolicy(process.env.RAPPORT_IDENTITY_POLICY)
        : DEFAULT_IDENTITY_POLICY;
      const job = { command: 'pseudonymise-log', from, to };
      const checkpoint = new CheckpointFile(
        options.checkpoint ?? CheckpointFile.defaultPath('pseudonymise', job),
        job,
      );
      const resuming = existsSync(checkpoint.path);
      const after = checkpoint.read();

      const stores: EventStore[] = [];
      let personalData: PersonalData | undefined;
      const stop = new StopSignal();
      try {
        // The logs as stored: every event keeps the schema version it was written in.
        const source = await openEventStore(from, { raw: true });
        stores.push(source);
        const rawTarget = await openEventStore(to, { raw: true });
        stores.push(rawTarget);
        const targetHead = await rawTarget.headPosition();
        if (targetHead > 0 && !resuming)
          throw new UsageError(
            `--to ${to} is not empty (${targetHead} events): pseudonymise-log writes a new log; name an empty store (or the checkpoint of the run that filled it)`,
          );
        try {
          personalData = await openPersonalData(settings, to);
        } catch (error) {
          throw new UsageError(`the new log's data keys: ${(error as Error).message}`);
        }
        const target = personalData.protect(rawTarget);

        const total = await source.headPosition();

        const pseudonyms = new PlainLogPseudonyms(personalData.hashIdentity, policy);
        const mappingStarted = Date.now();
        const mapping = new Progress('mapping').start(total);
        let read: number | null;
        try {
          read = await learnPlainLog(source, pseudonyms, {
            batchSize: options.batch,
            shouldStop: () => stop.stopRequested,
            onProgress: (_read, position) => mapping.update(position),
          });
        } catch (error) {
          mapping.stop();
          if (error instanceof PlainLogError)
            throw new UsageError(`--from ${from}: ${error.message}`);
          throw error;
        }
        mapping.stop();
        if (read === null) {
          console.log('stopped before copying anything');
          process.exitCode = 130;
          return;
        }
        const { identities, customerIds } = pseudonyms.size;
        console.log(
          `mapped ${read} events in ${seconds(mappingStarted)} s: ${identities} identities, ${customerIds} customer ids to re-derive`,
        );

        // The job exists from here on: a rerun resumes into the target it began to fill.
        checkpoint.write(after);
        if (after > 0)
          console.log(`resuming after source position ${after} (checkpoint ${checkpoint.path})`);
        const bar = new Progress('copying').start(total, after);
        const started = Date.now();
        const result = await pseudonymiseLog(source, target, pseudonyms, {
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
        const copySeconds = (Date.now() - started) / 1000;
        console.log(
          `pseudonymised ${result.handled - result.alreadyThere} events (${result.alreadyThere} were already in the target) in ${copySeconds.toFixed(1)} s: ${Math.round(result.handled / Math.max(copySeconds, 0.001))} events/s`,
        );

        // Customers the plain log had erased stay erased: their new data keys go.
        const erased = pseudonyms.erasedCustomerIds();
        if (erased.length > 0) {
          const destroyed = await personalData.keys.destroy(erased);
          console.log(
            `destroyed the data keys of ${destroyed} customers the log records as erased`,
          );
        }

        const verifyStarted = Date.now();
        const check = new Progress('verifying').start(total);
        const verification = await verifyPseudonymisedLog(
          source,
          target,
          rawTarget,
          pseudonyms,
          personalData.hashIdentity,
          { batchSize: options.batch, onProgress: (n) => check.update(n) },
        );
        check.stop();
        if (verification.mismatches.length > 0) {
          console.error(
            `verification FAILED after ${verification.compared} events:\n  ${verification.mismatches.join('\n  ')}`,
          );
          process.exitCode = 1;
          return;
        }
        console.log(
          `verified: ${verification.compared} events in both logs (${seconds(verifyStarted)} s); decrypted and un-pseudonymised, every one is its source event; no plain identity value or plain-derived customer id is stored in the new log`,
        );
        checkpoint.remove();
      } finally {
        stop.dispose();
        await Promise.all(stores.map((s) => s.close()));
        await personalData?.close();
      }
    });
}

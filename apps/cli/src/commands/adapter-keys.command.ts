import { AdapterKeys, UnknownAdapterKeyError } from '@rapport/application';
import { publisherScopeFrom } from '@rapport/domain';
import { openReadModels, type ReadModels, UnknownReadModelStoreError } from '@rapport/read-models';
import { type Command } from 'commander';
import { UsageError } from '../support/usage-error';

interface KeyOptions {
  readModels?: string;
  json?: boolean;
}

interface CreateOptions extends KeyOptions {
  channels: string;
  sources: string;
  verified: string;
}

const list = (raw: string) =>
  raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);

/** The shared store the services read keys from; memory read models live inside one process. */
function keysAt(options: KeyOptions): { keys: AdapterKeys; readModels: ReadModels } {
  const url = options.readModels ?? process.env.RAPPORT_READ_MODELS;
  if (!url || url === 'memory' || url === 'memory:') {
    throw new UsageError(
      'adapter keys live in the read models the services share: give --read-models redis://… (or RAPPORT_READ_MODELS); ' +
        'with in-memory read models, use POST /v1/admin/adapter-keys of the running process',
    );
  }
  let readModels: ReadModels;
  try {
    readModels = openReadModels(url);
  } catch (error) {
    if (error instanceof UnknownReadModelStoreError) throw new UsageError(error.message);
    throw error;
  }
  return { keys: new AdapterKeys(readModels.access.adapterKeys), readModels };
}

async function withKeys<T>(
  options: KeyOptions,
  use: (keys: AdapterKeys) => Promise<T>,
): Promise<T> {
  const { keys, readModels } = keysAt(options);
  try {
    return await use(keys);
  } catch (error) {
    if (error instanceof UnknownAdapterKeyError) throw new UsageError(error.message);
    throw error;
  } finally {
    await readModels.close();
  }
}

function print(value: unknown, json: boolean | undefined, text: () => string): void {
  console.log(json ? JSON.stringify(value, null, 2) : text());
}

/** `rapport adapter-keys create|list|rotate|revoke`: what channel adapters may publish. */
export function registerAdapterKeysCommand(program: Command): void {
  const keys = program
    .command('adapter-keys')
    .description('create, list, rotate and revoke the keys channel adapters publish with');
  const shared = (command: Command) =>
    command
      .option('--read-models <url>', 'where the services keep them (default: RAPPORT_READ_MODELS)')
      .option('--json', 'JSON on stdout');

  shared(
    keys.command('create <name>').description('a new key; it is printed once and never stored'),
  )
    .requiredOption('--channels <list>', 'channels it may publish on, e.g. email,chat')
    .option('--sources <patterns>', 'source patterns it may use; * stands for any characters', '*')
    .option('--verified <kinds>', 'identity kinds it may mark verified, e.g. email,phone', '')
    .action(async (name: string, options: CreateOptions) => {
      if (!/^[A-Za-z0-9 ._-]{1,64}$/.test(name)) {
        throw new UsageError('a key name is 1–64 letters, digits, spaces, ".", "_" or "-"');
      }
      const scope = publisherScopeFrom({
        channels: list(options.channels),
        sourcePatterns: list(options.sources),
        verifiedKinds: list(options.verified),
      });
      if (!scope.ok)
        throw new UsageError(scope.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
      const issued = await withKeys(options, (k) => k.create(name, scope.value, new Date()));
      print(issued, options.json, () =>
        [
          `adapter key ${issued.record.id} (${name}) created; send it as the x-api-key header.`,
          'It is shown this once:',
          '',
          issued.key,
        ].join('\n'),
      );
    });

  shared(keys.command('list').description('every key, revoked ones too (never a secret)')).action(
    async (options: KeyOptions) => {
      const all = await withKeys(options, (k) => k.list());
      print(all, options.json, () =>
        all.length === 0
          ? 'no adapter keys'
          : all
              .map(
                (k) =>
                  `${k.id}  ${k.revokedAt ? 'revoked ' : 'active  '} ${k.name}  channels=${k.scope.channels.join(',')} sources=${k.scope.sourcePatterns.join(',')} verified=${k.scope.verifiedKinds.join(',') || '-'}`,
              )
              .join('\n'),
      );
    },
  );

  shared(keys.command('rotate <id>').description('a new secret; the old one stops working')).action(
    async (id: string, options: KeyOptions) => {
      const issued = await withKeys(options, (k) => k.rotate(id, new Date()));
      print(
        issued,
        options.json,
        () => `adapter key ${id} rotated; the new key, shown once:\n\n${issued.key}`,
      );
    },
  );

  shared(keys.command('revoke <id>').description('refused by every service within seconds')).action(
    async (id: string, options: KeyOptions) => {
      const record = await withKeys(options, (k) => k.revoke(id, new Date()));
      print(record, options.json, () => `adapter key ${id} revoked at ${record.revokedAt}`);
    },
  );
}

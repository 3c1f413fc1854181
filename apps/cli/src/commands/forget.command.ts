import { CustomerErasure, IdentityGraphLog } from '@rapport/application';
import {
  customerIdFor,
  customerOfIdentity,
  type IdentityHasher,
  identityKey,
  parseIdentityParam,
  parseIdentityPolicy,
  pseudonymousGraphIdentity,
  DEFAULT_IDENTITY_POLICY,
} from '@rapport/domain';
import { type EventStore, openEventStore } from '@rapport/event-store';
import { type Command } from 'commander';
import { addStoreOption, openPersonalDataOption, storeUrl } from '../support/event-store-option';
import { UsageError } from '../support/usage-error';

interface ForgetOptions {
  store?: string;
  reason: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function registerForgetCommand(program: Command): void {
  const command = program
    .command('forget')
    .description(
      'erase a person (GDPR art. 17): destroy their data keys, drop them from every read model, suppress their identities',
    )
    .argument('<who>', 'a customer id, or an identity such as email:ann@example.com')
    .requiredOption(
      '--reason <text>',
      'why (a ticket reference; kept in the log, no personal data)',
    );
  addStoreOption(command);
  command.action(async (who: string, options: ForgetOptions) => {
    if (options.reason.trim().length < 3) throw new UsageError('--reason: at least 3 characters');
    const url = storeUrl(options);
    const personalData = await openPersonalDataOption(url);
    if (!personalData)
      throw new UsageError('personal data protection is off: there are no keys to destroy');
    const store = personalData.protect(await openEventStore(url));
    try {
      const customerId = UUID.test(who)
        ? who.toLowerCase()
        : await customerOf(who, store, personalData.hashIdentity);
      const result = await new CustomerErasure(store, personalData.keys).erase(customerId, {
        reason: options.reason.trim(),
        requestedBy: 'cli',
        at: new Date().toISOString(),
      });
      if (!result)
        throw new UsageError(`no customer ${UUID.test(who) ? who : 'has this identity'}`);
      console.log(
        `erased customer ${result.customerId}: ${result.erasedCustomerIds.length} customer id(s), ${result.identityKeys.length} identit${result.identityKeys.length === 1 ? 'y' : 'ies'} suppressed, ${result.keysDestroyed} data key(s) destroyed (log position ${result.position})`,
      );
    } finally {
      await store.close();
      await personalData.close();
    }
  });
}

/** The customer an identity belongs to now (never echoing the identity back). */
async function customerOf(raw: string, store: EventStore, hash: IdentityHasher): Promise<string> {
  const identity = parseIdentityParam(raw, process.env.RAPPORT_DEFAULT_PHONE_REGION);
  if (!identity.ok)
    throw new UsageError(`<who>: ${identity.errors.map((e) => e.message).join('; ')}`);
  const policy = process.env.RAPPORT_IDENTITY_POLICY
    ? parseIdentityPolicy(process.env.RAPPORT_IDENTITY_POLICY)
    : DEFAULT_IDENTITY_POLICY;
  const pseudonymous = pseudonymousGraphIdentity(identity.value, hash, policy);
  const graph = await new IdentityGraphLog(store).refresh();
  return customerOfIdentity(graph, identityKey(pseudonymous)) ?? customerIdFor(pseudonymous);
}

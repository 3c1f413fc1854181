import { type EventStore } from '@rapport/event-store';
import { type IdeaBacklog, type RunningProjection } from '@rapport/read-models';
import { identityGraphDirectory, identityGraphRedirects } from './customer-resolver';
import { IDEA_INTAKE, ideaIntakeProjection } from './idea-intake-projection';
import { IdeaService } from './idea-service';
import { IDEA_NOTIFIER, IdeaStatusNotifier } from './idea-status-notifier';
import { type OutboundPublisher } from './outbound-publisher';
import { logSupporterContacts } from './supporter-contacts';

/**
 * Starts the idea loop, two log followers under the read-model backend's leases for their
 * names (one replica at a time each), both keeping their checkpoints in the log:
 * `idea-intake` turns inbound touchpoints with `idea.action` metadata into idea commands,
 * and `idea-notifier` sends every status change to the idea's supporters through
 * `publisher` and records it on their timelines — both append to the log. One person, one
 * vote and one notification: customer redirects from the identity graph in the log.
 * Resolves once both have started (in memory: caught up), intake first.
 */
export async function startIdeaLoop(
  backlog: Pick<IdeaBacklog, 'startFollower'>,
  store: EventStore,
  publisher: OutboundPublisher,
  log: (line: string) => void,
): Promise<RunningProjection[]> {
  const service = new IdeaService(store, { customerRedirects: identityGraphRedirects(store) });
  const intake = await backlog.startFollower(
    store,
    { name: IDEA_INTAKE, target: () => ideaIntakeProjection(service, store, log) },
    log,
  );
  const notifier = await backlog.startFollower(
    store,
    {
      name: IDEA_NOTIFIER,
      target: () =>
        new IdeaStatusNotifier({
          store,
          publisher,
          contacts: logSupporterContacts(store),
          customerDirectory: identityGraphDirectory(store),
          log,
        }),
    },
    log,
  );
  return [intake, notifier];
}

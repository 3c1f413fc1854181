import { Global, Module } from '@nestjs/common';
import { closenessAt } from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';
import { identityGraphRedirects, IdeaService } from '@rapport/application';
import { type ClosenessReadModel, type IdeaBacklog, type ReadModels } from '@rapport/read-models';
import { hostedProjection } from '../platform/projection-host';
import { CLOSENESS_READ_MODEL, EVENT_STORE, READ_MODELS } from '../platform/tokens';
import { IdeaCommandsController } from './idea-commands.controller';
import { type ClosenessWeightLookup, IdeaQueriesController } from './idea-queries.controller';
import {
  IDEA_BACKLOG,
  IDEA_BACKLOG_PROJECTOR,
  IDEA_CLOSENESS_WEIGHT,
  IDEA_SERVICE,
} from './idea-tokens';

/**
 * The idea backlog of the read models (`ReadModelsModule`): on their backend and their
 * connection, stopped when they close.
 */
@Global()
@Module({
  providers: [
    { provide: IDEA_BACKLOG, useFactory: (rm: ReadModels) => rm.ideas, inject: [READ_MODELS] },
  ],
  exports: [IDEA_BACKLOG],
})
export class IdeaBacklogModule {}

/** The projector's backlog part (global, so commands in the same process can wait for it). */
@Global()
@Module({
  providers: [
    hostedProjection(
      IDEA_BACKLOG_PROJECTOR,
      'ideas',
      (store: EventStore, backlog: IdeaBacklog) => (log) => backlog.startProjection(store, log),
      [EVENT_STORE, IDEA_BACKLOG],
    ),
  ],
  exports: [IDEA_BACKLOG_PROJECTOR],
})
export class IdeaBacklogProjectionModule {}

/** Idea commands over the event log (needs `EVENT_STORE`). */
@Module({
  controllers: [IdeaCommandsController],
  providers: [
    {
      provide: IDEA_SERVICE,
      // Merged customers vote once: redirects from the identity graph in the log.
      useFactory: (store: EventStore) =>
        new IdeaService(store, { customerRedirects: identityGraphRedirects(store) }),
      inject: [EVENT_STORE],
    },
  ],
  exports: [IDEA_SERVICE],
})
export class IdeaCommandsHttpModule {}

/**
 * A supporter's weight for `priority=closeness`: their closeness score now ÷ 50 (a customer
 * at the midpoint weighs 1, the closest 2), 1 for a customer the model does not know.
 */
export function closenessWeightFrom(closeness: ClosenessReadModel): ClosenessWeightLookup {
  return async (customerId) => {
    const found = await closeness.customer(customerId);
    if (!found) return 1;
    return closenessAt(found.state, Date.now(), closeness.config).score / 50;
  };
}

/** Backlog queries from the read model (needs `IdeaBacklogModule`; uses closeness when present). */
@Module({
  controllers: [IdeaQueriesController],
  providers: [
    {
      provide: IDEA_CLOSENESS_WEIGHT,
      useFactory: (closeness?: ClosenessReadModel) =>
        closeness ? closenessWeightFrom(closeness) : undefined,
      inject: [{ token: CLOSENESS_READ_MODEL, optional: true }],
    },
  ],
})
export class IdeaQueriesHttpModule {}

import { type DynamicModule, Global, Module } from '@nestjs/common';
import { openReadModels, type ReadModels } from '@rapport/read-models';
import { type RapportConfig } from '../config/rapport-config';
import { closedOnShutdown } from './projection-host';
import { RevealIdentitiesOnReply } from './reveal-identities-on-reply';
import { CLOSENESS_READ_MODEL, READ_MODELS, TIMELINE_READ_MODEL } from './tokens';

/** The read models named by `RAPPORT_READ_MODELS` (memory or Redis). */
@Global()
@Module({})
export class ReadModelsModule {
  static forRoot(config: RapportConfig): DynamicModule {
    return {
      module: ReadModelsModule,
      providers: [
        ...closedOnShutdown(READ_MODELS, () =>
          openReadModels(config.readModelsUrl, {
            closeness: config.closeness,
            identityPolicy: config.identityPolicy,
          }),
        ),
        {
          provide: TIMELINE_READ_MODEL,
          useFactory: (rm: ReadModels) => rm.timeline,
          inject: [READ_MODELS],
        },
        {
          provide: CLOSENESS_READ_MODEL,
          useFactory: (rm: ReadModels) => rm.closeness,
          inject: [READ_MODELS],
        },
        // Responses name identities as people gave them, never as the stores' pseudonyms.
        RevealIdentitiesOnReply,
      ],
      exports: [READ_MODELS, TIMELINE_READ_MODEL, CLOSENESS_READ_MODEL],
    };
  }
}

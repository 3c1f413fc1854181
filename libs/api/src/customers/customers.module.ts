import { Module } from '@nestjs/common';
import { type EventStore } from '@rapport/event-store';
import { CustomerErasure, IdentityCommands, IdentityGraphLog } from '@rapport/application';
import { type PersonalData } from '@rapport/privacy';
import { type RapportConfig } from '../config/rapport-config';
import { EVENT_STORE, PERSONAL_DATA, RAPPORT_CONFIG } from '../platform/tokens';
import { CustomerCommandsController } from './customer-commands.controller';
import { CUSTOMER_ERASURE, IDENTITY_COMMANDS } from './customer-tokens';
import { ErasureController } from './erasure.controller';
import { MergeSuggestionCommandsController } from './merge-suggestions.controller';

/** Staff commands on customers (merge, unmerge, link, unlink, erase): needs the event log. */
@Module({
  controllers: [CustomerCommandsController, ErasureController, MergeSuggestionCommandsController],
  providers: [
    {
      provide: IDENTITY_COMMANDS,
      useFactory: (store: EventStore, config: RapportConfig) =>
        new IdentityCommands(new IdentityGraphLog(store), config.identityPolicy),
      inject: [EVENT_STORE, RAPPORT_CONFIG],
    },
    {
      provide: CUSTOMER_ERASURE,
      useFactory: (store: EventStore, personalData: PersonalData | null) =>
        personalData ? new CustomerErasure(store, personalData.keys) : null,
      inject: [EVENT_STORE, PERSONAL_DATA],
    },
  ],
})
export class CustomerCommandsHttpModule {}

import { Module } from '@nestjs/common';
import { type EventStore } from '@rapport/event-store';
import { IdentityCommands, IdentityGraphLog } from '@rapport/application';
import { type RapportConfig } from '../config/rapport-config';
import { EVENT_STORE, RAPPORT_CONFIG } from '../platform/tokens';
import { CustomerCommandsController } from './customer-commands.controller';
import { IDENTITY_COMMANDS } from './customer-tokens';

/** Staff commands on customers' identities (merge, unmerge, link, unlink): needs the event log. */
@Module({
  controllers: [CustomerCommandsController],
  providers: [
    {
      provide: IDENTITY_COMMANDS,
      useFactory: (store: EventStore, config: RapportConfig) =>
        new IdentityCommands(new IdentityGraphLog(store), config.identityPolicy),
      inject: [EVENT_STORE, RAPPORT_CONFIG],
    },
  ],
})
export class CustomerCommandsHttpModule {}

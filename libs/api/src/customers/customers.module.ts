import { Module } from '@nestjs/common';
import { type EventStore } from '@rapport/event-store';
import { IdentityCommands, IdentityGraphLog } from '@rapport/read-models';
import { EVENT_STORE } from '../platform/tokens';
import { CustomerCommandsController } from './customer-commands.controller';
import { IDENTITY_COMMANDS } from './customer-tokens';

/** Staff commands on customers' identities (merge, unmerge, link, unlink): needs the event log. */
@Module({
  controllers: [CustomerCommandsController],
  providers: [
    {
      provide: IDENTITY_COMMANDS,
      useFactory: (store: EventStore) => new IdentityCommands(new IdentityGraphLog(store)),
      inject: [EVENT_STORE],
    },
  ],
})
export class CustomerCommandsHttpModule {}

import {
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type EventStore } from '@rapport/event-store';
import { type PersonalData, sealNotification } from '@rapport/privacy';
import {
  KafkaOutboundPublisher,
  MemoryOutboundPublisher,
  type OutboundPublisher,
  startIdeaLoop,
} from '@rapport/application';
import {
  type IdeaBacklog,
  type ProjectionStatus,
  type RunningProjection,
} from '@rapport/read-models';
import { type RapportConfig } from '../config/rapport-config';
import { EVENT_STORE, PERSONAL_DATA, RAPPORT_CONFIG } from '../platform/tokens';
import { IDEA_BACKLOG } from './idea-tokens';

/**
 * Hosts the idea loop (`startIdeaLoop`): the intake (touchpoints with `idea.action` → idea
 * commands) and the status notifier (→ `rapport.outbound` on `kafka://` buses; kept in
 * memory on `inproc`). With Redis read models each runs under its own lease.
 */
@Injectable()
export class IdeaLoopService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('idea-loop');
  private running: RunningProjection[] = [];
  readonly publisher: OutboundPublisher;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(IDEA_BACKLOG) private readonly backlog: IdeaBacklog,
    @Inject(RAPPORT_CONFIG) config: RapportConfig,
    @Inject(PERSONAL_DATA) personalData: PersonalData | null,
  ) {
    const keys = personalData?.keys;
    this.publisher = config.busUrl.startsWith('kafka://')
      ? new KafkaOutboundPublisher(
          config.busUrl,
          undefined,
          keys && ((n) => sealNotification(n, keys)),
        )
      : new MemoryOutboundPublisher();
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.running.length) return;
    const log = (line: string) => this.logger.log(line);
    this.running.push(...(await startIdeaLoop(this.backlog, this.store, this.publisher, log)));
  }

  /** The intake's and the notifier's progress (a Redis standby reports its last known one). */
  statuses(): ProjectionStatus[] {
    return this.running.map((r) => r.status());
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.running.splice(0).map((r) => r.stop()));
    await this.publisher.close();
  }
}

/**
 * The projector's idea loop, beside the backlog projection: the intake and the notifier,
 * which append to the log (needs `IdeaBacklogModule` and `EventStoreModule`).
 */
@Module({ providers: [IdeaLoopService], exports: [IdeaLoopService] })
export class IdeaLoopModule {}

import { type DynamicModule, Module } from '@nestjs/common';
import {
  AccessModule,
  AnnotationCommandsHttpModule,
  ReadModelsModule,
  HEALTH_CHECKS,
  type HealthCheck,
  CustomerCommandsHttpModule,
  EventStoreModule,
  HealthController,
  IdeaCommandsHttpModule,
  IngestionModule,
  type RapportConfig,
  RapportConfigModule,
  ObservabilityModule,
  TouchpointsHttpModule,
  OutboundHttpModule,
} from '@rapport/api';
import { DlqHealth } from './kafka/kafka-touchpoint-transport';
import { TouchpointBatchesController } from './kafka/touchpoint-batches.controller';

/** Kafka (and HTTP) in, event log out. Stateless: run as many replicas as partitions allow. */
@Module({})
export class IngestorModule {
  static forRoot(config: RapportConfig): DynamicModule {
    return {
      module: IngestorModule,
      imports: [
        RapportConfigModule.forRoot(config),
        ObservabilityModule.forRoot(), // /metrics, /health/live, /health/ready
        EventStoreModule.forRoot(config),
        // Adapter keys, the audit trail and rate limits live beside the read models.
        ReadModelsModule.forRoot(config),
        AccessModule.forRoot(config),
        IngestionModule,
        TouchpointsHttpModule,
        OutboundHttpModule,
        CustomerCommandsHttpModule,
        IdeaCommandsHttpModule,
        AnnotationCommandsHttpModule, // notes and labels: appended to the log
      ],
      controllers: [TouchpointBatchesController, HealthController],
      providers: [
        DlqHealth,
        {
          provide: HEALTH_CHECKS,
          useFactory: (dlq: DlqHealth): HealthCheck[] => [
            { name: 'deadLetterTopic', status: () => dlq.status() },
          ],
          inject: [DlqHealth],
        },
      ],
    };
  }
}

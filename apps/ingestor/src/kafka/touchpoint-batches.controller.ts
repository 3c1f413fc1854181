import { Controller, Inject, Optional } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { type IngestResult, TouchpointIngestion } from '@rapport/application';
import { RAPPORT_CONFIG, type RapportConfig, RapportMetrics } from '@rapport/api';
import { INGEST_BATCH_PATTERN, type IngestBatch } from './ingest-batch.pattern';

/**
 * Thin wiring: a batch decoded from Kafka goes through the same ingestion use case as HTTP,
 * under the scope of its topic: its channel only, and the identity kinds the configuration
 * trusts that channel's adapters to verify (`RAPPORT_KAFKA_VERIFIED_KINDS`). What came of
 * each touchpoint is counted by the topic's channel (`/metrics`).
 */
@Controller()
export class TouchpointBatchesController {
  constructor(
    private readonly ingestion: TouchpointIngestion,
    @Inject(RAPPORT_CONFIG) private readonly config: RapportConfig,
    @Optional() private readonly metrics?: RapportMetrics,
  ) {}

  @MessagePattern(INGEST_BATCH_PATTERN)
  async ingest(@Payload() batch: IngestBatch): Promise<IngestResult[]> {
    const results = await this.ingestion.ingest(
      batch.events,
      {
        channels: [batch.channel],
        sourcePatterns: ['*'],
        verifiedKinds: this.config.kafkaVerifiedKinds[batch.channel] ?? [],
      },
      batch.parents,
    );
    this.metrics?.observeIngest('kafka', results, () => batch.channel);
    return results;
  }
}

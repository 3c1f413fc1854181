import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { type IngestResult, TouchpointIngestion } from '@rapport/application';
import { INGEST_BATCH_PATTERN, type IngestBatch } from './ingest-batch.pattern';

/** Thin wiring: a batch decoded from Kafka goes through the same ingestion use case as HTTP. */
@Controller()
export class TouchpointBatchesController {
  constructor(private readonly ingestion: TouchpointIngestion) {}

  @MessagePattern(INGEST_BATCH_PATTERN)
  ingest(@Payload() batch: IngestBatch): Promise<IngestResult[]> {
    return this.ingestion.ingest(batch.events);
  }
}

import { Module } from '@nestjs/common';
import { IngestionModule } from '../platform/ingestion.module';
import { TouchpointsController } from './touchpoints.controller';

@Module({ imports: [IngestionModule], controllers: [TouchpointsController] })
export class TouchpointsHttpModule {}

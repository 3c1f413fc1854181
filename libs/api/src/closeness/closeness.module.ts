import { Module } from '@nestjs/common';
import { ClosenessRankingController, CustomerClosenessController } from './closeness.controller';

/** The closeness API, read from the closeness read model. */
@Module({ controllers: [CustomerClosenessController, ClosenessRankingController] })
export class ClosenessHttpModule {}

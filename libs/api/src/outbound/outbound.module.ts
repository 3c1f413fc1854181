import { Module } from '@nestjs/common';
import { OutboundOpenController } from './outbound-open.controller';

/** `POST /v1/outbound/open`, for delivery adapters. */
@Module({ controllers: [OutboundOpenController] })
export class OutboundHttpModule {}

import { Module } from '@nestjs/common';
import { TouchpointsController } from './touchpoints.controller';

@Module({ controllers: [TouchpointsController] })
export class TouchpointsHttpModule {}

import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type Response } from 'express';
import { Access } from '../access/access-policy';
import { RapportMetrics } from './rapport-metrics';

/** Prometheus text exposition of this process's metrics, for the scraper only (ADR 0028). */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(RapportMetrics) private readonly metrics: RapportMetrics) {}

  @Access.scraper()
  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    const body = await this.metrics.registry.metrics();
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.end(body);
  }
}

import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { type Response } from 'express';
import { Access } from '../access/access-policy';
import { Readiness } from './readiness';

/** What `@nestjs/terminus` answers: each check by name, `up` or `down` with its details. */
export class ProbeResponse {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'] })
  status!: 'ok' | 'error' | 'shutting_down';

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the checks that hold' })
  info!: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the checks that fail' })
  error!: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'every check' })
  details!: Record<string, unknown>;
}

/**
 * Kubernetes probes. Liveness: the process answers (restart it when it does not).
 * Readiness: it can do its job now — every `Readiness` check holds (the log answers, the
 * read models answer, a projector holds a lease, the ingestor's Kafka consumer runs);
 * 503 with the failing checks otherwise. Both open, like `/health`: they say nothing about
 * customers.
 */
@ApiTags('health')
@Controller('health')
export class ProbesController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly readiness: Readiness,
  ) {}

  @Access.open()
  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process answers' })
  @ApiOkResponse({ type: ProbeResponse })
  live() {
    return this.health.check([]);
  }

  @Access.open()
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: 200 when the service can do its job, 503 saying why not' })
  @ApiOkResponse({ type: ProbeResponse })
  @ApiServiceUnavailableResponse({ type: ProbeResponse, description: 'a check fails' })
  async ready(@Res({ passthrough: true }) res: Response) {
    try {
      return await this.health.check(
        this.readiness.list().map((check) => async () => {
          const session = this.indicators.check(check.name);
          try {
            return session.up(await check.check());
          } catch (error) {
            return session.down({
              message: error instanceof Error ? error.message : String(error),
            });
          }
        }),
      );
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(503);
      return error.getResponse();
    }
  }
}

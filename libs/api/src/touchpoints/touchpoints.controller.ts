import { Body, Controller, HttpCode, Inject, Optional, Post, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { type IngestResult, TouchpointIngestion } from '@rapport/application';
import { type Request, type Response } from 'express';
import { type RapportConfig } from '../config/rapport-config';
import { JSON_MEDIA_TYPES } from '../http/create-http-app';
import {
  ApiProblemResponse,
  oneOfModels,
  PROBLEM_MEDIA_TYPE,
  ProblemResponse,
} from '../http/openapi-responses';
import { problem, ProblemException } from '../http/problem';
import { RAPPORT_CONFIG } from '../platform/tokens';
import { IngestedTouchpointResponse, TouchpointBatchResponse } from './touchpoint-responses';
import { type PublisherScope } from '@rapport/domain';
import { Access } from '../access/access-policy';
import { AdapterCaller, type AdapterPrincipal } from '../access/principal';
import { claimedChannel, RapportMetrics } from '../observability/rapport-metrics';

/** HTTP ingestion for adapters that do not speak Kafka: one CloudEvent, or a JSON array of them. */
@ApiTags('touchpoints')
@Controller('v1/touchpoints')
export class TouchpointsController {
  constructor(
    private readonly ingestion: TouchpointIngestion,
    @Inject(RAPPORT_CONFIG) private readonly config: RapportConfig,
    @Optional() private readonly metrics?: RapportMetrics,
  ) {}

  @Access.adapter()
  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Record touchpoints: one CloudEvent, or a batch (a JSON array, or CloudEvents batch mode)',
  })
  @ApiExtraModels(IngestedTouchpointResponse, TouchpointBatchResponse, ProblemResponse)
  @ApiAcceptedResponse({
    description: 'one event appended; or a batch, every event stored (appended or a duplicate)',
    schema: oneOfModels(IngestedTouchpointResponse, TouchpointBatchResponse),
  })
  @ApiOkResponse({
    type: IngestedTouchpointResponse,
    description: 'one event, already in the log (a redelivery)',
  })
  @ApiResponse({
    status: 207,
    type: TouchpointBatchResponse,
    description: 'a batch, some events stored and some not: `results` says which',
  })
  @ApiResponse({
    status: 400,
    description:
      'one event that is not a valid touchpoint, or an empty batch (problem details); a batch with no event stored (the batch answer)',
    content: {
      [PROBLEM_MEDIA_TYPE]: { schema: { $ref: getSchemaPath(ProblemResponse) } },
      'application/json': { schema: { $ref: getSchemaPath(TouchpointBatchResponse) } },
    },
  })
  @ApiProblemResponse(
    409,
    'one event: the same source and id came back with other content',
    'application/json',
  )
  @ApiProblemResponse(413, 'the body, or the batch, is too large')
  @ApiProblemResponse(415, 'not JSON')
  @ApiProblemResponse(
    500,
    'one event, an unexpected error: logged under the reference in `detail`',
    'application/json',
  )
  async post(
    @Req() req: Request,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
    @AdapterCaller() adapter: AdapterPrincipal,
  ) {
    if (!req.is(JSON_MEDIA_TYPES)) {
      throw new ProblemException(
        415,
        `send JSON: Content-Type one of ${JSON_MEDIA_TYPES.join(', ')}`,
      );
    }
    if (!Array.isArray(body)) return this.single(body, res, adapter.scope);
    if (body.length === 0) throw new ProblemException(400, 'the batch is empty');
    if (body.length > this.config.maxBatchSize) {
      throw new ProblemException(
        413,
        `a batch holds at most ${this.config.maxBatchSize} events; this one has ${body.length}`,
      );
    }
    const results = await this.ingestion.ingest(body, adapter.scope);
    this.metrics?.observeIngest('http', results, (i) => claimedChannel(body[i]));
    const count = (status: IngestResult['status']) =>
      results.filter((r) => r.status === status).length;
    const summary = {
      accepted: count('accepted'),
      duplicates: count('duplicate'),
      rejected: count('rejected'),
      conflicts: count('conflict'),
      failed: count('failed'),
      suppressed: count('suppressed'),
    };
    // Suppressed events (an erased person's) are handled: retrying them would change nothing.
    const handled = summary.accepted + summary.duplicates + summary.suppressed;
    // All handled: 202. None: 400. Some: 207, and `results` says which.
    res.status(handled === results.length ? 202 : handled === 0 ? 400 : 207);
    return { ...summary, results };
  }

  private async single(body: unknown, res: Response, scope: PublisherScope) {
    const [result] = await this.ingestion.ingest([body], scope);
    this.metrics?.observeIngest('http', [result], () => claimedChannel(body));
    switch (result.status) {
      case 'rejected':
        throw new ProblemException(400, 'the event is not a valid touchpoint', result.errors);
      case 'conflict':
        res.status(409);
        return problem(409, result.message);
      case 'failed':
        // A bug, already logged under the reference: the one case that is a server fault.
        res.status(500);
        return problem(500, result.message);
      case 'duplicate':
        res.status(200);
        return result;
      case 'accepted':
      case 'suppressed':
        return result;
    }
  }
}

import { Controller, Get, Headers, Inject, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LiveEventResponse } from '../annotations/annotation-responses';
import { type TimelineReadModel } from '@rapport/read-models';
import { type Response } from 'express';
import { Access } from '../access/access-policy';
import { StaffCaller, type StaffPrincipal } from '../access/principal';
import { customerGroupOf } from '../annotations/annotation-lookups';
import { CustomerIdPipe } from '../http/id-params';
import { ApiProblemResponse } from '../http/openapi-responses';
import { ProblemException } from '../http/problem';
import { TIMELINE_READ_MODEL } from '../platform/tokens';
import { LiveHub, LiveStreamRefused } from './live-hub';

/**
 * `GET /v1/customers/:id/live`: Server-Sent Events for an open customer page, with the
 * bearer token in the `Authorization` header like every other request (the console reads the
 * stream with `fetch`, not `EventSource`: ADR 0032).
 */
@ApiTags('customers')
@Controller('v1/customers')
export class LiveController {
  constructor(
    private readonly hub: LiveHub,
    @Inject(TIMELINE_READ_MODEL) private readonly timeline: TimelineReadModel,
  ) {}

  @Access.staff('agent')
  @Get(':id/live')
  @ApiOperation({
    summary:
      'Live changes of a customer page (text/event-stream): `ready`, `changed` {position} when the timeline, notes or labels changed, `presence` {viewers} when who has the customer open changed, `bye` {reason}; a `: ping` comment every heartbeat',
  })
  @ApiOkResponse({
    type: LiveEventResponse,
    description:
      'a text/event-stream (send `Accept: text/event-stream`) whose events carry this JSON as `data`; it ends when the token expires',
  })
  @ApiProblemResponse(406, 'the request does not accept text/event-stream')
  @ApiProblemResponse(400, 'bad id')
  @ApiProblemResponse(404, 'unknown customer')
  @ApiProblemResponse(429, 'too many live streams for this user')
  @ApiProblemResponse(503, 'too many live streams on this replica, or shutting down')
  async live(
    @Param('id', CustomerIdPipe) customerId: string,
    @StaffCaller() caller: StaffPrincipal,
    @Res() res: Response,
    @Headers('accept') accept?: string,
  ): Promise<void> {
    // A stream only for a client that asked for one (a plain GET would hang on it).
    if (!/(^|,)\s*text\/event-stream\b/i.test(accept ?? ''))
      throw new ProblemException(
        406,
        'this route streams text/event-stream: send "Accept: text/event-stream"',
      );
    try {
      this.hub.admit(caller);
    } catch (error) {
      if (error instanceof LiveStreamRefused)
        throw new ProblemException(error.status, error.message);
      throw error;
    }
    const group = await customerGroupOf(this.timeline, customerId);
    if (!group) throw new ProblemException(404, `no customer ${customerId}`);
    try {
      await this.hub.open(group, caller, res);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof LiveStreamRefused)
        throw new ProblemException(error.status, error.message);
      throw error;
    }
  }
}

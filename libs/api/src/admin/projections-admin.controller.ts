import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { RebuildAlreadyRunningError, UnknownProjectionError } from '@rapport/read-models';
import { type Response } from 'express';
import { ApiProblemResponse } from '../http/openapi-responses';
import { ProblemException } from '../http/problem';
import {
  ProjectionOverviewResponse,
  ProjectionsResponse,
  RebuildStartedResponse,
} from './admin-responses';
import { ProjectionAdminService } from './projection-admin.service';
import { Access } from '../access/access-policy';

/**
 * For operators: the projections, their read-model versions, positions and lag, and
 * blue/green rebuilds. Not protected yet — to be restricted to the `admin`/`data` roles
 * once authentication lands.
 */
@ApiTags('admin')
@Controller('v1/admin/projections')
export class ProjectionsAdminController {
  constructor(private readonly admin: ProjectionAdminService) {}

  @Access.staff('data')
  @Get()
  @ApiOperation({ summary: 'Every projection: live version, position, lag, rebuild in progress' })
  @ApiOkResponse({ type: ProjectionsResponse })
  list() {
    return this.admin.list();
  }

  @Access.staff('data')
  @Get(':name')
  @ApiOperation({ summary: 'One projection (where a rebuild reports its progress)' })
  @ApiParam({ name: 'name', example: 'timeline' })
  @ApiOkResponse({ type: ProjectionOverviewResponse })
  @ApiProblemResponse(404, 'unknown projection (the known ones are listed)')
  async one(@Param('name') name: string) {
    try {
      return await this.admin.one(name);
    } catch (error) {
      adminProblem(error);
    }
  }

  @Access.staff('admin')
  @Post(':name/rebuild')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Rebuild a projection blue/green: a new version beside the live one, switched atomically',
  })
  @ApiParam({ name: 'name', example: 'timeline' })
  @ApiAcceptedResponse({
    type: RebuildStartedResponse,
    description: 'started; progress at `watch`',
    headers: { Location: { description: 'the same as `watch`', schema: { type: 'string' } } },
  })
  @ApiProblemResponse(404, 'unknown projection (the known ones are listed)')
  @ApiProblemResponse(409, 'a rebuild of it is already running')
  async rebuild(@Param('name') name: string, @Res({ passthrough: true }) res: Response) {
    try {
      const run = await this.admin.startRebuild(name);
      const watch = `/v1/admin/projections/${encodeURIComponent(name)}`;
      res.setHeader('location', watch);
      return { name: run.name, version: run.version, status: 'started', watch };
    } catch (error) {
      adminProblem(error);
    }
  }
}

function adminProblem(error: unknown): never {
  if (error instanceof UnknownProjectionError) {
    const detail =
      error.projection === 'identity-resolution'
        ? 'identity-resolution keeps no read model (its decisions are in the log) and is never rebuilt'
        : error.message;
    throw new ProblemException(404, detail, [
      { path: 'name', message: `one of ${error.known.join(', ')}` },
    ]);
  }
  if (error instanceof RebuildAlreadyRunningError) throw new ProblemException(409, error.message);
  throw error;
}

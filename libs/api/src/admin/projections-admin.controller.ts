import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RebuildAlreadyRunningError, UnknownProjectionError } from '@rapport/read-models';
import { type Response } from 'express';
import { ProblemException } from '../http/problem';
import { ProjectionAdminService } from './projection-admin.service';

/**
 * For operators: the projections, their read-model versions, positions and lag, and
 * blue/green rebuilds. Not protected yet — to be restricted to the `admin`/`data` roles
 * once authentication lands.
 */
@ApiTags('admin')
@Controller('v1/admin/projections')
export class ProjectionsAdminController {
  constructor(private readonly admin: ProjectionAdminService) {}

  @Get()
  @ApiOperation({ summary: 'Every projection: live version, position, lag, rebuild in progress' })
  @ApiResponse({
    status: 200,
    description:
      '{ head, projections: [{ name, version, position, lagEvents, lagSeconds, rebuild }] }',
  })
  list() {
    return this.admin.list();
  }

  @Get(':name')
  @ApiOperation({ summary: 'One projection (where a rebuild reports its progress)' })
  @ApiParam({ name: 'name', example: 'timeline' })
  @ApiResponse({ status: 404, description: 'unknown projection (the known ones are listed)' })
  async one(@Param('name') name: string) {
    try {
      return await this.admin.one(name);
    } catch (error) {
      adminProblem(error);
    }
  }

  @Post(':name/rebuild')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Rebuild a projection blue/green: a new version beside the live one, switched atomically',
  })
  @ApiParam({ name: 'name', example: 'timeline' })
  @ApiResponse({
    status: 202,
    description: '{ name, version, watch }: started; progress at `watch`',
  })
  @ApiResponse({ status: 404, description: 'unknown projection (the known ones are listed)' })
  @ApiResponse({ status: 409, description: 'a rebuild of it is already running' })
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

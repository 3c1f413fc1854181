import { randomUUID } from 'node:crypto';
import {
  Body,
  Controller,
  Delete,
  HttpCode,
  Inject,
  Optional,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { type FieldError } from '@rapport/domain';
import { type CommandResult, type IdeaService } from '@rapport/application';
import { type RunningProjection } from '@rapport/read-models';
import { DtoPipe, QueryPipe } from '../http/dto.pipe';
import { IdParamPipe } from '../http/id-params';
import { ApiProblemResponse } from '../http/openapi-responses';
import { ProblemException } from '../http/problem';
import {
  ChangeStatusDto,
  CommentDto,
  MergeDto,
  RiceDto,
  SubmitIdeaDto,
  VoteDto,
  WithdrawVoteQueryDto,
  originOf,
} from './idea-dtos';
import { ideaProblem } from './idea-problems';
import { IdeaCommandResponse, IdeaCommentedResponse } from './idea-responses';
import { IDEA_BACKLOG_PROJECTOR, IDEA_SERVICE } from './idea-tokens';
import { Access } from '../access/access-policy';
import { StaffCaller, type StaffPrincipal } from '../access/principal';

/** Idea ids in paths: UUIDs when the API chose them, any id of 1–128 characters otherwise. */
const IdeaId = new IdParamPipe('idea id');

function bad(path: string, message: string): never {
  const errors: FieldError[] = [{ path, message }];
  throw new ProblemException(400, message, errors);
}

const RESULT = {
  type: IdeaCommandResponse,
  description: 'the idea’s new stream revision and the log position of the last event',
};
const BAD_INPUT = 'problem details with field-level errors';
const NO_SUCH_IDEA = 'no such idea';

/** Idea commands: staff and adapters submit, vote, comment, triage and merge. */
@ApiTags('ideas')
@Controller('v1/ideas')
export class IdeaCommandsController {
  constructor(
    @Inject(IDEA_SERVICE) private readonly ideas: IdeaService,
    @Optional() @Inject(IDEA_BACKLOG_PROJECTOR) private readonly projector?: RunningProjection,
  ) {}

  @Access.staff('agent')
  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Submit an idea for a customer (from a touchpoint, or by staff on their behalf)',
  })
  @ApiBody({ type: SubmitIdeaDto })
  @ApiCreatedResponse(RESULT)
  @ApiProblemResponse(400, BAD_INPUT)
  @ApiProblemResponse(409, 'the idea id exists, or the touchpoint was already used')
  async submit(
    @Body(new DtoPipe(SubmitIdeaDto)) dto: SubmitIdeaDto,
    @StaffCaller() caller: StaffPrincipal,
  ) {
    const origin = originOf(dto, caller.subject);
    if (typeof origin === 'string') bad('staffId', origin);
    const ideaId = dto.ideaId ?? randomUUID();
    return this.run(() =>
      this.ideas.submit({
        ideaId,
        title: dto.title,
        ...(dto.description === undefined ? {} : { description: dto.description }),
        customerId: dto.customerId,
        origin,
        at: new Date().toISOString(),
      }),
    );
  }

  @Access.staff('agent')
  @Post(':id/votes')
  @HttpCode(201)
  @ApiOperation({
    summary: 'A customer supports the idea (one vote per person; staff may vote on their behalf)',
  })
  @ApiParam({ name: 'id' })
  @ApiBody({ type: VoteDto })
  @ApiCreatedResponse(RESULT)
  @ApiProblemResponse(400, BAD_INPUT)
  @ApiProblemResponse(404, NO_SUCH_IDEA)
  @ApiProblemResponse(
    409,
    'already voted (also under a merged customer id), idea merged, or a concurrent change',
  )
  @ApiProblemResponse(422, 'the idea is shipped or declined')
  async vote(
    @Param('id', IdeaId) ideaId: string,
    @Body(new DtoPipe(VoteDto)) dto: VoteDto,
    @StaffCaller() caller: StaffPrincipal,
  ) {
    const origin = originOf(dto, caller.subject);
    if (typeof origin === 'string') bad('staffId', origin);
    return this.run(() =>
      this.ideas.vote(
        ideaId,
        { customerId: dto.customerId, origin, at: new Date().toISOString() },
        { expectedRevision: dto.expectedRevision },
      ),
    );
  }

  @Access.staff('agent')
  @Delete(':id/votes/:customerId')
  @ApiOperation({
    summary: 'Withdraw a customer’s vote (every vote of the person, under any merged id)',
  })
  @ApiParam({ name: 'id' })
  @ApiParam({ name: 'customerId' })
  @ApiOkResponse(RESULT)
  @ApiProblemResponse(400, BAD_INPUT)
  @ApiProblemResponse(404, NO_SUCH_IDEA)
  @ApiProblemResponse(409, 'the customer does not support the idea, or the idea is merged')
  async withdraw(
    @Param('id', IdeaId) ideaId: string,
    @Param('customerId', new IdParamPipe('customer id')) customerId: string,
    @Query(new QueryPipe(WithdrawVoteQueryDto)) _query: WithdrawVoteQueryDto,
    @StaffCaller() caller: StaffPrincipal,
  ) {
    return this.run(() =>
      this.ideas.withdrawVote(ideaId, {
        customerId,
        origin: { kind: 'staff', staffId: caller.subject },
        at: new Date().toISOString(),
      }),
    );
  }

  @Access.staff('agent')
  @Post(':id/comments')
  @HttpCode(201)
  @ApiOperation({ summary: 'Comment on an idea (a customer or a staff member)' })
  @ApiParam({ name: 'id' })
  @ApiBody({ type: CommentDto })
  @ApiCreatedResponse({ ...RESULT, type: IdeaCommentedResponse })
  @ApiProblemResponse(400, BAD_INPUT)
  @ApiProblemResponse(404, NO_SUCH_IDEA)
  @ApiProblemResponse(409, 'the idea is merged, or a concurrent change (expectedRevision)')
  async comment(
    @Param('id', IdeaId) ideaId: string,
    @Body(new DtoPipe(CommentDto)) dto: CommentDto,
    @StaffCaller() caller: StaffPrincipal,
  ) {
    const commentId = randomUUID();
    const author =
      dto.customerId !== undefined
        ? { kind: 'customer' as const, customerId: dto.customerId }
        : { kind: 'staff' as const, staffId: caller.subject };
    const result = await this.run(() =>
      this.ideas.comment(
        ideaId,
        { commentId, author, text: dto.text, at: new Date().toISOString() },
        { expectedRevision: dto.expectedRevision },
      ),
    );
    return { commentId, ...result };
  }

  @Access.staff('supervisor')
  @Post(':id/status')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Move the idea along new → under_review → planned → in_progress → shipped, or decline it (with a reason)',
  })
  @ApiParam({ name: 'id' })
  @ApiBody({ type: ChangeStatusDto })
  @ApiOkResponse(RESULT)
  @ApiProblemResponse(400, 'declining without a reason, or other bad input')
  @ApiProblemResponse(404, NO_SUCH_IDEA)
  @ApiProblemResponse(409, 'the idea is merged, or a concurrent change (expectedRevision)')
  @ApiProblemResponse(422, 'an illegal transition; `errors[0].allowed` lists the legal ones')
  async status(
    @Param('id', IdeaId) ideaId: string,
    @Body(new DtoPipe(ChangeStatusDto)) dto: ChangeStatusDto,
    @StaffCaller() caller: StaffPrincipal,
  ) {
    return this.run(() =>
      this.ideas.changeStatus(
        ideaId,
        {
          to: dto.to,
          ...(dto.reason === undefined ? {} : { reason: dto.reason }),
          staffId: caller.subject,
          at: new Date().toISOString(),
        },
        { expectedRevision: dto.expectedRevision },
      ),
    );
  }

  @Access.staff('supervisor')
  @Post(':id/merge')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Merge this idea (a duplicate) into another: supporters are united, comments move, this id redirects',
  })
  @ApiParam({ name: 'id', description: 'the duplicate' })
  @ApiBody({ type: MergeDto })
  @ApiOkResponse({ ...RESULT, description: `the survivor’s ${RESULT.description}` })
  @ApiProblemResponse(400, BAD_INPUT)
  @ApiProblemResponse(404, 'either idea does not exist')
  @ApiProblemResponse(409, 'either idea is already merged, or a concurrent change')
  @ApiProblemResponse(422, 'merging an idea into itself')
  async merge(
    @Param('id', IdeaId) ideaId: string,
    @Body(new DtoPipe(MergeDto)) dto: MergeDto,
    @StaffCaller() caller: StaffPrincipal,
  ) {
    return this.run(() =>
      this.ideas.merge(
        ideaId,
        dto.intoIdeaId,
        { staffId: caller.subject, at: new Date().toISOString() },
        { expectedRevision: dto.expectedRevision },
      ),
    );
  }

  @Access.staff('supervisor')
  @Post(':id/rice')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set the staff RICE estimate (used by priority=rice)' })
  @ApiParam({ name: 'id' })
  @ApiBody({ type: RiceDto })
  @ApiOkResponse(RESULT)
  @ApiProblemResponse(400, BAD_INPUT)
  @ApiProblemResponse(404, NO_SUCH_IDEA)
  @ApiProblemResponse(409, 'the idea is merged')
  async rice(
    @Param('id', IdeaId) ideaId: string,
    @Body(new DtoPipe(RiceDto)) { staffId: _ignored, ...rice }: RiceDto,
    @StaffCaller() caller: StaffPrincipal,
  ) {
    return this.run(() =>
      this.ideas.execute(ideaId, {
        kind: 'score',
        ...rice,
        staffId: caller.subject,
        at: new Date().toISOString(),
      }),
    );
  }

  /** Runs a command; waits (briefly) for an in-process backlog projection, so reads see it. */
  private async run(command: () => Promise<CommandResult>) {
    let result: CommandResult;
    try {
      result = await command();
    } catch (error) {
      ideaProblem(error);
    }
    if (this.projector && result.position > 0) {
      await this.projector.waitFor(result.position, 5000).catch(() => undefined);
    }
    return { ideaId: result.ideaId, revision: result.revision, position: result.position };
  }
}

import { Body, Controller, Delete, HttpCode, Inject, Param, Post } from '@nestjs/common';
import {
  ApiBody,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { type AnnotationOutcome, type CustomerAnnotationCommands } from '@rapport/application';
import { Access } from '../access/access-policy';
import { StaffCaller, type StaffPrincipal } from '../access/principal';
import { DtoPipe } from '../http/dto.pipe';
import { CustomerIdPipe } from '../http/id-params';
import { ApiProblemResponse } from '../http/openapi-responses';
import { ProblemException } from '../http/problem';
import { AddLabelDto, AddNoteDto } from './annotation-dtos';
import { LabelChangeResponse, NoteAddedResponse } from './annotation-responses';
import { ANNOTATION_COMMANDS } from './annotation-tokens';

/**
 * What staff write about a customer: internal notes (never sent to the customer; the text is
 * the customer's personal data, sealed in the log and erased with them) and labels. Agents
 * may do both: it is their daily work, and neither changes who the customer is.
 */
@ApiTags('customers')
@Controller('v1/customers')
export class AnnotationCommandsController {
  constructor(@Inject(ANNOTATION_COMMANDS) private readonly commands: CustomerAnnotationCommands) {}

  @Access.staff('agent')
  @Post(':id/notes')
  @HttpCode(201)
  @ApiOperation({ summary: 'Write an internal note on a customer (shown to staff only)' })
  @ApiBody({ type: AddNoteDto })
  @ApiCreatedResponse({ type: NoteAddedResponse })
  @ApiProblemResponse(400, 'bad id or body: empty, too long, control characters')
  @ApiProblemResponse(404, 'unknown customer')
  async addNote(
    @Param('id', CustomerIdPipe) customerId: string,
    @Body(new DtoPipe(AddNoteDto)) dto: AddNoteDto,
    @StaffCaller() caller: StaffPrincipal,
  ) {
    return answer(await this.commands.addNote(customerId, dto.text, staff(caller), new Date()));
  }

  @Access.staff('agent')
  @Post(':id/labels')
  @HttpCode(200)
  @ApiOperation({ summary: 'Put a label on a customer (nothing changes when it is there)' })
  @ApiBody({ type: AddLabelDto })
  @ApiOkResponse({ type: LabelChangeResponse })
  @ApiProblemResponse(400, 'bad id or label')
  @ApiProblemResponse(404, 'unknown customer')
  @ApiProblemResponse(422, 'the customer carries the most labels allowed')
  async label(
    @Param('id', CustomerIdPipe) customerId: string,
    @Body(new DtoPipe(AddLabelDto)) dto: AddLabelDto,
    @StaffCaller() caller: StaffPrincipal,
  ) {
    return answer(await this.commands.label(customerId, dto.label, staff(caller), new Date()));
  }

  @Access.staff('agent')
  @Delete(':id/labels/:label')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take a label off a customer (nothing changes when it is not there)' })
  @ApiParam({ name: 'label', description: 'the label (normalised like on adding)' })
  @ApiOkResponse({ type: LabelChangeResponse })
  @ApiProblemResponse(400, 'bad id or label')
  @ApiProblemResponse(404, 'unknown customer')
  async unlabel(
    @Param('id', CustomerIdPipe) customerId: string,
    @Param('label') label: string,
    @StaffCaller() caller: StaffPrincipal,
  ) {
    return answer(await this.commands.unlabel(customerId, label, staff(caller), new Date()));
  }
}

function staff(caller: StaffPrincipal) {
  return { staffId: caller.subject, ...(caller.name ? { name: caller.name } : {}) };
}

function answer<T>(outcome: AnnotationOutcome<T>): T {
  if (!outcome.ok) throw new ProblemException(outcome.status, outcome.detail, outcome.errors);
  const { ok: _ok, ...rest } = outcome;
  return rest as T;
}

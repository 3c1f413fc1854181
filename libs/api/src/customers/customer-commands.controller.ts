import { Body, Controller, Delete, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  type ChannelIdentity,
  type IdentityDecision,
  type IdentityGraphEvent,
  type StaffActor,
  normalizeIdentity,
} from '@rapport/domain';
import { type IdentityCommands, type IdentityCommandResult } from '@rapport/application';
import { type RapportConfig } from '../config/rapport-config';
import { DtoPipe } from '../http/dto.pipe';
import { CustomerIdPipe } from '../http/id-params';
import { ApiProblemResponse } from '../http/openapi-responses';
import { ProblemException } from '../http/problem';
import { RAPPORT_CONFIG } from '../platform/tokens';
import { IdentityPseudonyms } from '../platform/identity-pseudonyms';
import { parseIdentityParam } from '@rapport/domain';
import { LinkIdentityDto, MergeCustomerDto, UnlinkIdentityDto } from './customer-dtos';
import { IdentityEventsResponse } from './customer-responses';
import { identityRefusalProblem } from './identity-problems';
import { IDENTITY_COMMANDS } from './customer-tokens';
import { Access } from '../access/access-policy';
import { StaffCaller, type StaffPrincipal } from '../access/principal';

const ACCEPTED = {
  type: IdentityEventsResponse,
  description: 'the identity events appended (the read models show them within moments)',
};

/**
 * What staff do to customers' identities. Every command is decided on the identity graph
 * as the log has it and appended as identity events; a refusal is a problem: 404 unknown
 * customer or identity, 400 malformed, 409 the graph does not allow it.
 */
@ApiTags('customers')
@Controller('v1/customers')
export class CustomerCommandsController {
  constructor(
    @Inject(IDENTITY_COMMANDS) private readonly commands: IdentityCommands,
    @Inject(RAPPORT_CONFIG) private readonly config: RapportConfig,
    private readonly pseudonyms: IdentityPseudonyms,
  ) {}

  @Access.staff('supervisor')
  @Post(':id/merge')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Merge another customer into this one (this one survives and keeps its id)',
  })
  @ApiParam({ name: 'id', description: 'the surviving customer' })
  @ApiBody({ type: MergeCustomerDto })
  @ApiAcceptedResponse(ACCEPTED)
  @ApiProblemResponse(400, 'bad id or body, or a customer merged into itself')
  @ApiProblemResponse(404, 'unknown customer')
  @ApiProblemResponse(409, 'already merged, merged elsewhere, or holds a blocked identity')
  async merge(
    @Param('id', CustomerIdPipe) survivorId: string,
    @Body(new DtoPipe(MergeCustomerDto)) dto: MergeCustomerDto,
    @StaffCaller() caller: StaffPrincipal,
  ) {
    return answer(
      await this.commands.merge(survivorId, dto.customerId, staff(caller), now(), dto.note),
    );
  }

  @Access.staff('supervisor')
  @Post(':id/unmerge')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Split a merged customer off again; both get back exactly what they had',
  })
  @ApiParam({ name: 'id', description: 'the customer it was merged into (or that one’s survivor)' })
  @ApiBody({ type: MergeCustomerDto })
  @ApiAcceptedResponse(ACCEPTED)
  @ApiProblemResponse(400, 'bad id or body')
  @ApiProblemResponse(404, 'unknown customer')
  @ApiProblemResponse(409, 'not merged into this customer')
  async unmerge(
    @Param('id', CustomerIdPipe) customerId: string,
    @Body(new DtoPipe(MergeCustomerDto)) dto: MergeCustomerDto,
    @StaffCaller() caller: StaffPrincipal,
  ) {
    return answer(
      await this.commands.unmerge(customerId, dto.customerId, staff(caller), now(), dto.note),
    );
  }

  @Access.staff('supervisor')
  @Post(':id/identities')
  @HttpCode(202)
  @ApiOperation({ summary: 'Link an identity to the customer (normalised like on ingestion)' })
  @ApiBody({ type: LinkIdentityDto })
  @ApiAcceptedResponse(ACCEPTED)
  @ApiProblemResponse(400, 'bad id, body or identity')
  @ApiProblemResponse(404, 'unknown customer')
  @ApiProblemResponse(
    409,
    'already linked, belongs to another customer (merge instead), blocked, or past a kind limit',
  )
  async link(
    @Param('id', CustomerIdPipe) customerId: string,
    @Body(new DtoPipe(LinkIdentityDto)) dto: LinkIdentityDto,
    @StaffCaller() caller: StaffPrincipal,
  ) {
    return answer(
      await this.commands.link(customerId, this.identityOf(dto), staff(caller), now(), dto.note),
    );
  }

  @Access.staff('supervisor')
  @Post(':id/identities/unlink')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Unlink an identity named in the body (kept out of URLs and access logs): it becomes a customer of its own',
  })
  @ApiBody({ type: LinkIdentityDto })
  @ApiAcceptedResponse(ACCEPTED)
  @ApiProblemResponse(400, 'bad id, body or identity')
  @ApiProblemResponse(404, 'unknown customer or identity')
  @ApiProblemResponse(409, 'the last identity a customer holds stays')
  async unlinkByBody(
    @Param('id', CustomerIdPipe) customerId: string,
    @Body(new DtoPipe(LinkIdentityDto)) dto: LinkIdentityDto,
    @StaffCaller() caller: StaffPrincipal,
  ) {
    return answer(
      await this.commands.unlink(customerId, this.identityOf(dto), staff(caller), now(), dto.note),
    );
  }

  @Access.staff('supervisor')
  @Delete(':id/identities/:identity')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Unlink an identity: it (and its touchpoints) becomes a customer of its own',
  })
  @ApiParam({ name: 'identity', example: 'email:ann@example.com' })
  @ApiAcceptedResponse(ACCEPTED)
  @ApiProblemResponse(400, 'bad id, body or identity')
  @ApiProblemResponse(404, 'unknown customer or identity')
  @ApiProblemResponse(409, 'the last identity a customer holds stays')
  async unlink(
    @Param('id', CustomerIdPipe) customerId: string,
    @Param('identity') raw: string,
    @Body(new DtoPipe(UnlinkIdentityDto)) dto: UnlinkIdentityDto,
    @StaffCaller() caller: StaffPrincipal,
  ) {
    const identity = parseIdentityParam(raw, this.config.defaultPhoneRegion);
    if (!identity.ok) throw new ProblemException(400, 'bad identity', identity.errors);
    return answer(
      await this.commands.unlink(
        customerId,
        this.pseudonyms.forGraph(identity.value),
        staff(caller),
        now(),
        dto.note,
      ),
    );
  }

  /** The body's identity, normalised like on ingestion; a 400 when it is not one. */
  private identityOf(dto: LinkIdentityDto): ChannelIdentity {
    const identity = normalizeIdentity(dto.identity, 'identity', {
      defaultPhoneRegion: this.config.defaultPhoneRegion,
    });
    if (!identity.ok) throw new ProblemException(400, 'bad identity', identity.errors);
    return this.pseudonyms.forGraph(identity.value);
  }
}

/** The staff member acting: the token's subject, never a name from the body. */
function staff(caller: StaffPrincipal): StaffActor {
  return { kind: 'staff', staffId: caller.subject };
}

function now(): string {
  return new Date().toISOString();
}

function answer(decision: IdentityDecision<IdentityCommandResult>): {
  events: readonly IdentityGraphEvent[];
} {
  if (!decision.ok) throw identityRefusalProblem(decision.errors);
  return { events: decision.value.events };
}

import { Body, Controller, Delete, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { type CustomerErasure } from '@rapport/application';
import { Access } from '../access/access-policy';
import { StaffCaller, type StaffPrincipal } from '../access/principal';
import { DtoPipe } from '../http/dto.pipe';
import { CustomerIdPipe } from '../http/id-params';
import { ApiProblemResponse } from '../http/openapi-responses';
import { ProblemException } from '../http/problem';
import { IdentityPseudonyms } from '../platform/identity-pseudonyms';
import { parseIdentityParam } from '@rapport/domain';
import { type RapportConfig } from '../config/rapport-config';
import { RAPPORT_CONFIG } from '../platform/tokens';
import { CUSTOMER_ERASURE } from './customer-tokens';
import {
  EraseCustomerDto,
  ErasureResponse,
  LiftSuppressionDto,
  SuppressionLiftedResponse,
} from './erasure-dtos';

/**
 * The right to be forgotten (GDPR art. 17): erase a person, and lift the suppression that
 * keeps their identities out afterwards. docs/privacy.md
 */
@ApiTags('customers')
@Controller('v1')
export class ErasureController {
  constructor(
    @Inject(CUSTOMER_ERASURE) private readonly erasure: CustomerErasure | null,
    @Inject(RAPPORT_CONFIG) private readonly config: RapportConfig,
    private readonly pseudonyms: IdentityPseudonyms,
  ) {}

  @Access.staff('supervisor')
  @Delete('customers/:id')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Forget a person: destroy their data keys (every personal field reads as erased), drop them from every read model, suppress their identities',
  })
  @ApiParam({ name: 'id', description: 'customer id (UUID); a merged id erases its survivor' })
  @ApiAcceptedResponse({ type: ErasureResponse })
  @ApiProblemResponse(400, 'bad id or missing reason')
  @ApiProblemResponse(404, 'no such customer')
  @ApiProblemResponse(409, 'personal data protection is off')
  async erase(
    @Param('id', CustomerIdPipe) id: string,
    @Body(new DtoPipe(EraseCustomerDto)) dto: EraseCustomerDto,
    @StaffCaller() caller: StaffPrincipal,
  ): Promise<ErasureResponse> {
    const result = await this.use().erase(id, this.request(dto, caller));
    if (!result) throw new ProblemException(404, `no customer ${id}`);
    return {
      customerId: result.customerId,
      erasedCustomerIds: [...result.erasedCustomerIds],
      identities: result.identityKeys.length,
      keysDestroyed: result.keysDestroyed,
      position: result.position,
    };
  }

  @Access.staff('supervisor')
  @Post('suppressions/lift')
  @HttpCode(202)
  @ApiOperation({
    summary: "Store an erased identity's new touchpoints again (the identity in the body)",
  })
  @ApiAcceptedResponse({ type: SuppressionLiftedResponse })
  @ApiProblemResponse(400, 'bad identity or missing reason')
  @ApiProblemResponse(409, 'personal data protection is off')
  async lift(
    @Body(new DtoPipe(LiftSuppressionDto)) dto: LiftSuppressionDto,
    @StaffCaller() caller: StaffPrincipal,
  ): Promise<SuppressionLiftedResponse> {
    const identity = parseIdentityParam(dto.identity, this.config.defaultPhoneRegion);
    if (!identity.ok) throw new ProblemException(400, 'bad identity', identity.errors);
    const key = this.pseudonyms.keyOf(identity.value);
    const { position } = await this.use().liftSuppression([key], this.request(dto, caller));
    return { position };
  }

  private use(): CustomerErasure {
    if (!this.erasure)
      throw new ProblemException(
        409,
        'personal data protection is off (RAPPORT_PRIVACY=off): there are no keys to destroy',
      );
    return this.erasure;
  }

  private request(dto: { reason: string }, caller: StaffPrincipal) {
    return { reason: dto.reason, requestedBy: caller.subject, at: new Date().toISOString() };
  }
}

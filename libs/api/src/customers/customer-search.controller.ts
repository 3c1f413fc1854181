import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import {
  ApiBody,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsInt, IsString, Length, Max, Min } from 'class-validator';
import { nameSearchPrefix, OptionalField, PayloadLimits } from '@rapport/domain';
import { findCustomersByName, type TimelineReadModel } from '@rapport/read-models';
import { Access } from '../access/access-policy';
import { DtoPipe } from '../http/dto.pipe';
import { ApiProblemResponse } from '../http/openapi-responses';
import { ProblemException } from '../http/problem';
import { TIMELINE_READ_MODEL } from '../platform/tokens';

/** `POST /v1/customers/search`: a name prefix in the body (a name is personal: never in a URL). */
export class CustomerSearchDto {
  @ApiProperty({
    example: 'maria ro',
    description:
      'the start of a name, or of any word of it; case and diacritics do not matter (`MARÍA` finds `Maria`)',
  })
  @IsString()
  @Length(1, PayloadLimits.nameLength)
  namePrefix!: string;

  @ApiPropertyOptional({ description: '1–50, default 20' })
  @OptionalField()
  @IsInt()
  @Min(1)
  @Max(50)
  limit?: number;
}

export class CustomerByNameResponse {
  @ApiProperty()
  customerId!: string;

  @ApiProperty({
    description: 'the name that matched: the latest one an identity of theirs was seen with',
  })
  name!: string;

  @ApiProperty({ format: 'date-time', description: 'when that name was last seen' })
  seenAt!: string;
}

export class CustomerSearchResponse {
  @ApiProperty({ type: () => CustomerByNameResponse, isArray: true })
  items!: CustomerByNameResponse[];
}

/** Finding customers by the name channels saw them by. */
@ApiTags('customers')
@Controller('v1/customers')
export class CustomerSearchController {
  constructor(@Inject(TIMELINE_READ_MODEL) private readonly timelines: TimelineReadModel) {}

  @Access.staff('agent')
  @Post('search')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Find customers by a name prefix (the name in the body: kept out of URLs and access logs)',
  })
  @ApiBody({ type: CustomerSearchDto })
  @ApiOkResponse({
    type: CustomerSearchResponse,
    description: 'each customer once (a merged one as its survivor), by name; erased people never',
  })
  @ApiProblemResponse(400, 'bad body, or a prefix with no letter or digit')
  async search(@Body(new DtoPipe(CustomerSearchDto)) body: CustomerSearchDto) {
    if (!/[\p{L}\p{N}]/u.test(nameSearchPrefix(body.namePrefix)))
      throw new ProblemException(400, 'invalid request body', [
        { path: 'namePrefix', message: 'namePrefix must contain a letter or a digit' },
      ]);
    return { items: await findCustomersByName(this.timelines, body.namePrefix, body.limit ?? 20) };
  }
}

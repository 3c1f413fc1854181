import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';
import { AdapterKeys, UnknownAdapterKeyError } from '@rapport/application';
import { publisherScopeFrom } from '@rapport/domain';
import { type AuditTrail } from '@rapport/read-models';
import { Inject } from '@nestjs/common';
import { IsOptional, Matches } from 'class-validator';
import { DtoPipe } from '../http/dto.pipe';
import { ApiProblemResponse } from '../http/openapi-responses';
import { ProblemException } from '../http/problem';
import { QueryPipe } from '../http/dto.pipe';
import { IsWholeNumber, wholeNumber } from '../http/query-values';
import { Access } from './access-policy';
import {
  AdapterKeyResponse,
  CreateAdapterKeyDto,
  IssuedAdapterKeyResponse,
} from './adapter-key-dtos';
import { AUDIT_TRAIL } from './audit-recorder';

const KEY_ID = /^[0-9a-f]{16}$/;

function keyId(raw: string): string {
  if (!KEY_ID.test(raw)) throw new ProblemException(400, 'an adapter key id is 16 hex digits');
  return raw;
}

/** Adapter keys, for admins: create, list, rotate, revoke. */
@ApiTags('admin')
@Controller('v1/admin/adapter-keys')
export class AdapterKeysController {
  constructor(private readonly keys: AdapterKeys) {}

  @Access.staff('admin')
  @Post()
  @ApiOperation({ summary: 'Create an adapter key; the answer holds the key, shown this once' })
  @ApiCreatedResponse({ type: IssuedAdapterKeyResponse })
  @ApiProblemResponse(400, 'bad name or scope')
  async create(@Body(new DtoPipe(CreateAdapterKeyDto)) dto: CreateAdapterKeyDto) {
    const scope = publisherScopeFrom(dto);
    if (!scope.ok) throw new ProblemException(400, 'bad scope', scope.errors);
    return this.keys.create(dto.name, scope.value, new Date());
  }

  @Access.staff('admin')
  @Get()
  @ApiOperation({ summary: 'Every adapter key (never a secret), revoked ones included' })
  @ApiOkResponse({ type: AdapterKeyResponse, isArray: true })
  list() {
    return this.keys.list();
  }

  @Access.staff('admin')
  @Post(':id/rotate')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new secret for the key; the old one stops working at once' })
  @ApiOkResponse({ type: IssuedAdapterKeyResponse })
  @ApiProblemResponse(404, 'no such key, or it is revoked')
  rotate(@Param('id') id: string) {
    return this.known(() => this.keys.rotate(keyId(id), new Date()));
  }

  @Access.staff('admin')
  @Delete(':id')
  @ApiOperation({ summary: 'Revoke the key (every replica refuses it within seconds)' })
  @ApiOkResponse({ type: AdapterKeyResponse })
  @ApiProblemResponse(404, 'no such key')
  revoke(@Param('id') id: string) {
    return this.known(() => this.keys.revoke(keyId(id), new Date()));
  }

  private async known<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      if (error instanceof UnknownAdapterKeyError) throw new ProblemException(404, error.message);
      throw error;
    }
  }
}

/** `GET /v1/audit?customerId=&limit=` */
export class AuditQueryDto {
  @IsOptional()
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    message: 'customerId is a customer id (UUID)',
  })
  customerId?: string;

  @IsOptional()
  @IsWholeNumber(1, 1000)
  limit?: string;
}

export class AuditEntryResponse {
  @ApiProperty() at!: string;
  @ApiProperty({ description: 'the staff id (token subject)' }) actor!: string;
  @ApiProperty({ type: [String] }) roles!: string[];
  @ApiProperty({ example: 'GET /v1/customers/:id/timeline' }) action!: string;
  @ApiProperty({ required: false }) customerId?: string;
  @ApiProperty() status!: number;
}

/** The audit trail, for admins. */
@ApiTags('admin')
@Controller('v1/audit')
export class AuditController {
  constructor(@Inject(AUDIT_TRAIL) private readonly trail: AuditTrail) {}

  @Access.staff('admin')
  @Get()
  @ApiOperation({ summary: 'What staff did and read, newest first (of one customer, or all)' })
  @ApiOkResponse({ type: AuditEntryResponse, isArray: true })
  @ApiProblemResponse(400, 'bad customerId or limit')
  query(@Query(new QueryPipe(AuditQueryDto)) query: AuditQueryDto) {
    return this.trail.query(
      { customerId: query.customerId?.toLowerCase(), limit: wholeNumber(query.limit, 100) },
      new Date(),
    );
  }
}

import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { IDEA_STATUSES, type IdeaStatus } from '@rapport/domain';

/** A `FieldError`; refused identity and idea commands add a `code` (and ideas a little more). */
export class FieldErrorResponse {
  @ApiProperty({ description: 'the field it is about (dotted path)', example: 'data.channel' })
  path!: string;

  @ApiProperty()
  message!: string;

  @ApiPropertyOptional({
    description: 'a stable refusal code (identity and idea commands)',
    example: 'already-voted',
  })
  code?: string;

  @ApiPropertyOptional({ description: '`idea-merged`: the idea that took this one in' })
  redirectTo?: string;

  @ApiPropertyOptional({
    enum: IDEA_STATUSES,
    description: '`illegal-transition`: where the idea is',
  })
  status?: IdeaStatus;

  @ApiPropertyOptional({
    enum: IDEA_STATUSES,
    isArray: true,
    description: '`illegal-transition`: where it may go from there',
  })
  allowed?: IdeaStatus[];
}

/** The body of every error answer: `Problem` (RFC 9457 problem details). */
export class ProblemResponse {
  @ApiProperty({ type: 'integer', example: 400 })
  status!: number;

  @ApiProperty({ example: 'Bad Request' })
  title!: string;

  @ApiProperty()
  detail!: string;

  @ApiPropertyOptional({ type: () => FieldErrorResponse, isArray: true })
  errors?: FieldErrorResponse[];
}

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/**
 * An error status answered with a problem: `application/problem+json` when thrown (the
 * `ProblemFilter`), `application/json` when a handler returns one.
 */
export function ApiProblemResponse(
  status: number,
  description: string,
  mediaType: string = PROBLEM_MEDIA_TYPE,
) {
  return applyDecorators(
    ApiExtraModels(ProblemResponse),
    ApiResponse({
      status,
      description,
      content: { [mediaType]: { schema: { $ref: getSchemaPath(ProblemResponse) } } },
    }),
  );
}

/** A schema that is one of the models; register them with `@ApiExtraModels` where used. */
export function oneOfModels(...models: Type<unknown>[]) {
  return { oneOf: models.map((model) => ({ $ref: getSchemaPath(model) })) };
}

/** The members of a string union, for `enum`: the compiler checks that none is missing. */
export function enumOf<T extends string>(members: Record<T, true>): T[] {
  return Object.keys(members) as T[];
}

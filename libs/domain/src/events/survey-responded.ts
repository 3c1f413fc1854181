import {
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { CHANNELS, type Channel } from '../channels';
import { NestedObject } from '../validation/nested';
import { IdentityPayload } from './identity-payload';
import { PayloadLimits } from './payload-limits';

export const SURVEY_KINDS = ['nps', 'csat'] as const;
export type SurveyKind = (typeof SURVEY_KINDS)[number];

/** Score ranges per survey kind: NPS 0–10, CSAT 1–5. */
export const SURVEY_SCORE_RANGE: Record<SurveyKind, readonly [number, number]> = {
  nps: [0, 10],
  csat: [1, 5],
};

export class SurveyAnswerPayload {
  @IsIn(SURVEY_KINDS)
  kind!: SurveyKind;

  @IsInt()
  @Min(0)
  @Max(10)
  score!: number;

  @IsOptional()
  @IsString()
  @Length(1, 128)
  surveyId?: string;
}

/** `survey.responded.v1`: a person answered an NPS or CSAT survey. */
export class SurveyRespondedV1 {
  @NestedObject(() => IdentityPayload)
  identity!: IdentityPayload;

  /** The channel the survey was answered on; `survey` when it was a survey tool. */
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: Channel;

  @NestedObject(() => SurveyAnswerPayload)
  answer!: SurveyAnswerPayload;

  @IsOptional()
  @IsString()
  @MaxLength(PayloadLimits.commentLength)
  comment?: string;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-1)
  @Max(1)
  sentiment?: number;
}

/**
 * `survey.responded.v2`: as v1, but `channel` is required — the channel the survey was
 * answered on is always explicit. v1 events in the log are read as v2 by the upcaster
 * (`upcasting/event-upcasters.ts`), which makes v1's implicit default (`survey`) explicit.
 */
export class SurveyRespondedV2 {
  @NestedObject(() => IdentityPayload)
  identity!: IdentityPayload;

  @IsIn(CHANNELS)
  channel!: Channel;

  @NestedObject(() => SurveyAnswerPayload)
  answer!: SurveyAnswerPayload;

  @IsOptional()
  @IsString()
  @MaxLength(PayloadLimits.commentLength)
  comment?: string;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-1)
  @Max(1)
  sentiment?: number;
}

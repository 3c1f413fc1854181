import {
  EventNames,
  formatEventType,
  type SurveyRespondedV1,
  type TouchpointRecordedV1,
} from '@rapport/domain';

export const TOUCHPOINT_RECORDED_V1 = formatEventType(EventNames.touchpointRecorded, 1);
export const SURVEY_RESPONDED_V1 = formatEventType(EventNames.surveyResponded, 1);

interface TouchpointInputBase {
  /** The channel's own message id; with the publisher's source it makes the event unique. */
  readonly id: string;
  /** When it happened (not when it is published). */
  readonly time: Date | string;
  readonly subject?: string;
}

/** The payload of `touchpoint.recorded.v1` as an adapter writes it (plain JSON). */
export type TouchpointRecordedData = TouchpointRecordedV1;
/** The payload of `survey.responded.v1` as an adapter writes it (plain JSON). */
export type SurveyRespondedData = SurveyRespondedV1;

/** What an adapter publishes: the envelope is filled in by the publisher. */
export type TouchpointInput =
  | (TouchpointInputBase & {
      readonly type?: 'touchpoint.recorded.v1';
      readonly data: TouchpointRecordedData;
    })
  | (TouchpointInputBase & {
      readonly type: 'survey.responded.v1';
      readonly data: SurveyRespondedData;
    });

/** The structured-mode CloudEvent of an input, before validation. */
export function toCloudEventAttributes(
  input: TouchpointInput,
  source: string,
): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: input.id,
    source,
    type: input.type ?? TOUCHPOINT_RECORDED_V1,
    time: input.time instanceof Date ? timeOf(input.time) : input.time,
    datacontenttype: 'application/json',
    ...(input.subject === undefined ? {} : { subject: input.subject }),
    data: input.data,
  };
}

/** An invalid Date is passed on as text so that validation reports it on `time`. */
function timeOf(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'Invalid Date' : date.toISOString();
}

import { type ClassConstructor } from 'class-transformer';
import { EventNames, formatEventType } from './event-type';
import { SurveyRespondedV1, SurveyRespondedV2 } from './survey-responded';
import { TouchpointRecordedV1 } from './touchpoint-recorded';

/** What the platform knows about one inbound event type at one schema version. */
export interface InboundEventSchema {
  readonly name: string;
  readonly version: number;
  readonly dataClass: ClassConstructor<object>;
}

const schemas: InboundEventSchema[] = [
  { name: EventNames.touchpointRecorded, version: 1, dataClass: TouchpointRecordedV1 },
  { name: EventNames.surveyResponded, version: 1, dataClass: SurveyRespondedV1 },
  { name: EventNames.surveyResponded, version: 2, dataClass: SurveyRespondedV2 },
];

export const INBOUND_EVENT_SCHEMAS: ReadonlyMap<string, InboundEventSchema> = new Map(
  schemas.map((s) => [formatEventType(s.name, s.version), s]),
);

/** The CloudEvents `type` values adapters may publish, e.g. `touchpoint.recorded.v1`. */
export const INBOUND_EVENT_TYPES: readonly string[] = [...INBOUND_EVENT_SCHEMAS.keys()];

/**
 * Event types carry their schema version as a suffix: `touchpoint.recorded.v1`.
 * The name without the suffix is what read models and filters talk about.
 */
export interface VersionedEventType {
  readonly name: string;
  readonly version: number;
}

const VERSIONED_TYPE = /^([a-z][a-z0-9_-]*(?:\.[a-z][a-z0-9_-]*)*)\.v([1-9][0-9]{0,3})$/;

export function formatEventType(name: string, version: number): string {
  return `${name}.v${version}`;
}

export function parseEventType(type: string): VersionedEventType | null {
  const match = VERSIONED_TYPE.exec(type);
  if (!match) return null;
  return { name: match[1], version: Number(match[2]) };
}

export const EventNames = {
  touchpointRecorded: 'touchpoint.recorded',
  surveyResponded: 'survey.responded',
} as const;
export type EventName = (typeof EventNames)[keyof typeof EventNames];

import { CHANNELS, type Channel } from '@rapport/domain';

/** The topic a channel's touchpoints are published to: `touchpoints.email`. */
export type TouchpointTopic = `touchpoints.${Channel}`;

export function touchpointTopic(channel: Channel): TouchpointTopic {
  return `touchpoints.${channel}`;
}

/**
 * One topic per channel. Consumers subscribe to this list rather than to a
 * `touchpoints.*` pattern, which would also match the dead-letter topic.
 */
export const TOUCHPOINT_TOPICS: readonly TouchpointTopic[] = CHANNELS.map(touchpointTopic);

/** Messages the ingestor could not decode or validate, with the reasons in headers. */
export const DLQ_TOPIC = 'touchpoints.dlq';

/** Notifications to customers (e.g. an idea they supported changed status). */
export const OUTBOUND_TOPIC = 'rapport.outbound';

/** The topic names under a prefix, so that test runs can share a broker without sharing topics. */
export interface TopicNames {
  readonly prefix: string;
  readonly touchpoints: readonly string[];
  readonly dlq: string;
  readonly outbound: string;
  touchpoint(channel: Channel): string;
}

const TOPIC_PREFIX = /^[a-zA-Z0-9._-]*$/;

/** `topicNames('run1.')` → `run1.touchpoints.email`, …; `topicNames()` is the plain names. */
export function topicNames(prefix = ''): TopicNames {
  if (!TOPIC_PREFIX.test(prefix)) {
    throw new Error(`topic prefix "${prefix}" may only hold letters, digits, ".", "_" and "-"`);
  }
  return {
    prefix,
    touchpoints: TOUCHPOINT_TOPICS.map((t) => `${prefix}${t}`),
    dlq: `${prefix}${DLQ_TOPIC}`,
    outbound: `${prefix}${OUTBOUND_TOPIC}`,
    touchpoint: (channel) => `${prefix}${touchpointTopic(channel)}`,
  };
}

import {
  kafkaFromUrl,
  provisionTopics,
  removeTopics,
  topicNames,
  type TopicNames,
} from '@rapport/messaging';

export type E2eTopics = TopicNames;

/** Topics of one test run, under a prefix of its own, so runs sharing a broker never mix. */
export const e2eTopics = (prefix: string): E2eTopics => topicNames(prefix);

export async function ensureE2eTopics(kafkaUrl: string, topics: E2eTopics): Promise<void> {
  await provisionTopics(kafkaFromUrl(kafkaUrl, 'e2e-admin'), topics.prefix);
}

export async function removeE2eTopics(kafkaUrl: string, topics: E2eTopics): Promise<void> {
  await removeTopics(kafkaFromUrl(kafkaUrl, 'e2e-admin'), topics.prefix);
}

/**
 * The touchpoints of `bench:ingest` and of the privacy-step bench: `count` touchpoints, one a
 * second from 2026-01-01, spread round-robin over four channels and over `identities`
 * people (`person.<n % identities>@bench.example`, or another domain: a pipeline's warm-up
 * uses `warmup.example`), each with a short subject and text.
 * Ids are `<run>-<n>`, so runs that share a log or a topic do not collide.
 */
import { type TouchpointInput } from '@rapport/adapter-sdk';
import { type Channel } from '@rapport/domain';

export const CHANNELS: readonly Channel[] = ['email', 'chat', 'social', 'in_person'];

/**
 * What an adapter hands the SDK: the CloudEvent's id, time and data. `domain` names the
 * people's e-mail domain: a pipeline's warm-up uses another, so that the people of the timed
 * workload are still new to it.
 */
export function touchpoints(
  run: string,
  count: number,
  identities: number,
  domain = 'bench.example',
): TouchpointInput[] {
  const start = Date.UTC(2026, 0, 1);
  return Array.from({ length: count }, (_, n) => ({
    id: `${run}-${n}`,
    time: new Date(start + n * 1000).toISOString(),
    data: {
      channel: CHANNELS[n % CHANNELS.length],
      direction: n % 3 === 0 ? 'outbound' : 'inbound',
      identity: { kind: 'email', value: `person.${n % identities}@${domain}` },
      content: {
        subject: 'Order question',
        text: `Hello, this is touchpoint ${n} about my order.`,
      },
      sentiment: ((n % 21) - 10) / 10,
    },
  })) as TouchpointInput[];
}

/** The same touchpoints as whole structured-mode CloudEvents, as JSON text (the Kafka value). */
export function touchpointEvents(run: string, count: number, identities: number): string[] {
  return touchpoints(run, count, identities).map((input) =>
    JSON.stringify({
      specversion: '1.0',
      source: 'bench/adapter',
      type: 'touchpoint.recorded.v1',
      id: input.id,
      time: input.time,
      datacontenttype: 'application/json',
      data: input.data,
    }),
  );
}

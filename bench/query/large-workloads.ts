/**
 * The data `bench:query` adds beside the demo customers, to show costs bounded by the page
 * rather than by the data: one customer with a long timeline (a filter that matches nothing
 * must not read it all) and a backlog of many ideas with many supporters (a page of the
 * backlog must not load and rank them all).
 */
import { randomUUID } from 'node:crypto';
import { type TouchpointInput } from '@rapport/adapter-sdk';

/** `entries` touchpoints of one e-mail identity, a minute apart, newest a minute ago. */
export function longTimeline(run: string, entries: number, now: Date): TouchpointInput[] {
  const identity = { kind: 'email', value: `long-timeline-${run}@bench.example`, verified: true };
  return Array.from({ length: entries }, (_, i) => {
    const channel = ['email', 'chat', 'phone', 'web'][i % 4];
    return {
      id: `${run}-long-${i}`,
      time: new Date(now.getTime() - (i + 1) * 60_000).toISOString(),
      type: 'touchpoint.recorded.v1',
      data: {
        channel,
        direction: i % 3 === 0 ? 'outbound' : 'inbound',
        identity,
        content: { text: `Message ${i} of a long conversation history.` },
        conversationId: `${run}-long-conv-${Math.floor(i / 10)}`,
      },
    } as unknown as TouchpointInput;
  });
}

/** The identity of `longTimeline`'s customer, as the lookup endpoint takes it. */
export function longTimelineIdentity(run: string): string {
  return `email:long-timeline-${run}@bench.example`;
}

/**
 * Submits `ideas` ideas through the ingestor's idea commands and gives idea i up to
 * `maxVotes` supporters (i mod (maxVotes + 1)) from a pool of customer ids, `concurrency`
 * requests at a time. Returns the number of commands sent.
 */
export async function seedIdeas(
  ingestorUrl: string,
  headers: Record<string, string>,
  ideas: number,
  maxVotes: number,
  concurrency = 16,
): Promise<number> {
  const voters = Array.from({ length: 4 * maxVotes + 50 }, () => randomUUID());
  const commands: { path: string; body: unknown }[] = [];
  for (let i = 0; i < ideas; i += 1) {
    const ideaId = randomUUID();
    commands.push({
      path: '/v1/ideas',
      body: {
        ideaId,
        title: `Idea ${i}: a refill option, variant ${i % 37}`,
        customerId: voters[i % voters.length],
      },
    });
    for (let v = 0; v < i % (maxVotes + 1); v += 1)
      commands.push({
        path: `/v1/ideas/${ideaId}/votes`,
        body: { customerId: voters[(i * 7 + v * 13 + 1) % voters.length] },
      });
  }
  // Submissions first (a vote needs its idea), then the votes.
  const send = async (batch: typeof commands) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < batch.length) {
          const { path, body } = batch[next++];
          const response = await postRetried(`${ingestorUrl}${path}`, {
            method: 'POST',
            headers: { ...headers, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          // 409: a voter drawn twice for the same idea (one vote per person).
          if (!response.ok && response.status !== 409)
            throw new Error(
              `${path.split('/').length > 3 ? 'vote' : 'submit'}: ${response.status}`,
            );
        }
      }),
    );
  };
  await send(commands.filter((c) => c.path === '/v1/ideas'));
  await send(commands.filter((c) => c.path !== '/v1/ideas'));
  return commands.length;
}

/**
 * A POST tried again (up to three times) when the connection fails before an answer: on a
 * loaded machine a kept-alive socket can be closed by the server as the request goes out.
 * Safe for the idea commands: they carry their ids, and a repeat answers 409.
 */
async function postRetried(url: string, init: RequestInit, attempts = 3): Promise<Response> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fetch(url, init);
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';
import { type IdeaService, type TouchpointIngestion } from '@rapport/application';
import { type RunningProjection } from '@rapport/read-models';
import { DEMO_CUSTOMERS, DEMO_IDEA_STATUSES, demoWorkload } from '@rapport/testing';

const BATCH = 500;
const DAY = 24 * 60 * 60 * 1000;

/** Seeds demo history once: only into an empty log, so a restart never doubles it. */
export async function seedDemo(
  store: EventStore,
  ingestion: TouchpointIngestion,
  projector: RunningProjection,
  baseUrl: string,
  ideas?: IdeaService,
): Promise<void> {
  const head = await store.headPosition();
  if (head > 0) {
    console.log(`demo: the log already holds ${head} events; not seeding again`);
    return;
  }
  const now = new Date();
  const demo = demoWorkload(now);
  const events = demo.events;
  let stored = 0;
  for (let i = 0; i < events.length; i += BATCH) {
    const results = await ingestion.ingest(events.slice(i, i + BATCH), UNRESTRICTED_SCOPE);
    const refused = results.filter((r) => r.status === 'rejected' || r.status === 'conflict');
    if (refused.length)
      throw new Error(
        `demo: ${refused.length} demo events were refused: ${JSON.stringify(refused[0])}`,
      );
    stored += results.length;
    process.stdout.write(
      `\rdemo: ${stored}/${events.length} touchpoints from ${DEMO_CUSTOMERS} customers`,
    );
  }
  await projector.waitFor(await store.headPosition());
  process.stdout.write('\n');
  if (ideas) await moveDemoIdeas(ideas, demo.ideaIds, now);
  await settle(store, projector);
  const sample = events[0].data.identity as { value: string };
  console.log(
    `demo: a merge suggestion waits on the customer with email:${demo.suggestionEmails[0]}`,
  );
  console.log(
    `demo: find a customer:  curl -s -H "Authorization: Bearer $TOKEN" '${baseUrl}/v1/customers?identity=email:${sample.value.toLowerCase()}'`,
  );
}

/** Staff moved some demo ideas through the workflow, once the intake has submitted them. */
async function moveDemoIdeas(ideas: IdeaService, ideaIds: string[], now: Date): Promise<void> {
  const deadline = Date.now() + 15000;
  for (const step of DEMO_IDEA_STATUSES) {
    const ideaId = ideaIds[step.idea];
    while (!(await ideas.find(ideaId))) {
      if (Date.now() > deadline) {
        console.log(`demo: idea ${ideaId} was not submitted in time; its status stays new`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const [i, to] of step.to.entries()) {
      await ideas.changeStatus(ideaId, {
        to,
        staffId: 'supervisor',
        // Spread over the last weeks, a step every few days.
        at: new Date(now.getTime() - (step.to.length - i) * 3 * DAY).toISOString(),
        ...(to === 'declined' && step.reason ? { reason: step.reason } : {}),
      });
    }
  }
}

/**
 * Waits until identity resolution and the idea notifier have appended what the demo caused
 * and the timeline has caught up: the log's head holds still for a moment (at most 10 s).
 */
async function settle(store: EventStore, projector: RunningProjection): Promise<void> {
  const deadline = Date.now() + 10000;
  for (;;) {
    const head = await store.headPosition();
    await projector.waitFor(head);
    await new Promise((resolve) => setTimeout(resolve, 300));
    if ((await store.headPosition()) === head || Date.now() > deadline) return;
  }
}

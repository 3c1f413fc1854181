import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';
import { type TouchpointIngestion } from '@rapport/application';
import { type RunningProjection } from '@rapport/read-models';
import { demoTouchpoints } from '@rapport/testing';

const DEMO_CUSTOMERS = 300;
const DEMO_DAYS = 120;
const BATCH = 500;

/** Seeds demo history once: only into an empty log, so a restart never doubles it. */
export async function seedDemo(
  store: EventStore,
  ingestion: TouchpointIngestion,
  projector: RunningProjection,
  baseUrl: string,
): Promise<void> {
  const head = await store.headPosition();
  if (head > 0) {
    console.log(`demo: the log already holds ${head} events; not seeding again`);
    return;
  }
  const events = demoTouchpoints({
    customers: DEMO_CUSTOMERS,
    days: DEMO_DAYS,
    now: new Date(),
    seed: 42,
  });
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
  const sample = events[0].data.identity as { value: string };
  console.log(
    `demo: find a customer:  curl -s -H "Authorization: Bearer $TOKEN" '${baseUrl}/v1/customers?identity=email:${sample.value.toLowerCase()}'`,
  );
}

import { randomUUID } from 'node:crypto';
import { DEFAULT_CLOSENESS_CONFIG } from '@rapport/domain';
import { type RecordedEvent } from '@rapport/event-store';
import { describeWithServices, testRedis } from '@rapport/testing';
import { customerAnnotationsProjection } from '../annotations/customer-annotations-projection';
import { MemoryCustomerAnnotations } from '../backends/memory/memory-customer-annotations';
import { MemoryProjectionSlot } from '../backends/memory/memory-projection-slot';
import { MemoryClosenessReadModel } from '../backends/memory/memory-closeness-read-model';
import { MemoryTimelineReadModel } from '../backends/memory/memory-timeline-read-model';
import { redisProjectionCatalog } from '../backends/redis/versions/redis-projection-catalog';
import { closenessProjection } from '../closeness/closeness-projection';
import { timelineProjection } from '../timeline/timeline-projection';
import { type ProjectionTarget } from './projection-runner';

const recorded = (type: string): RecordedEvent => ({
  id: randomUUID(),
  type,
  streamId: 's',
  revision: 0,
  position: 1,
  data: { ideaId: 'i' },
  metadata: {},
  recordedAt: new Date(0).toISOString(),
});
const touchpoint = recorded('touchpoint.recorded.v1');
const idea = recorded('idea.submitted.v1');

/** What a target says it reads, as the runner passes it to the log (absent: everything). */
const reads = (target: ProjectionTarget, event: RecordedEvent) =>
  target.personalDataOf ? target.personalDataOf(event) : true;

// The targets the live projector runs are wrappers (a slot, a live version): they must pass
// on what the projection inside reads, or the log decrypts every event for each of them.
describe('personalDataOf through the live targets', () => {
  it('a memory slot answers as its projection', async () => {
    const closeness = new MemoryProjectionSlot(
      'closeness',
      new MemoryClosenessReadModel(DEFAULT_CLOSENESS_CONFIG),
      () => new MemoryClosenessReadModel(DEFAULT_CLOSENESS_CONFIG),
      (model) => closenessProjection(model),
    ).liveTarget();
    const timeline = new MemoryProjectionSlot(
      'timeline',
      new MemoryTimelineReadModel(),
      () => new MemoryTimelineReadModel(),
      (model) => timelineProjection(model),
    ).liveTarget();
    await Promise.all([closeness.checkpoint(), timeline.checkpoint()]);
    expect(reads(closeness, touchpoint)).toBe(false);
    expect(reads(timeline, touchpoint)).toBe(true);
  });

  it('staff annotations open notes and labels only', () => {
    const annotations = customerAnnotationsProjection(new MemoryCustomerAnnotations());
    expect(reads(annotations, touchpoint)).toBe(false);
  });
});

describeWithServices(['redis'], 'personalDataOf through the Redis live versions', (urls) => {
  const redis = testRedis(urls.redis);
  afterAll(() => redis.quit());

  it('each live version answers as its projection once the runner has read its checkpoint', async () => {
    const catalog = redisProjectionCatalog(redis, `rapport-test:pdo-${randomUUID().slice(0, 8)}:`);
    const [closeness, ideas, timeline] = [catalog.closeness, catalog.ideas, catalog.timeline].map(
      (p) => p.liveTarget(),
    );
    await Promise.all([closeness, ideas, timeline].map((t) => t.checkpoint()));
    expect(reads(closeness, touchpoint)).toBe(false);
    expect(reads(ideas, touchpoint)).toBe(false);
    expect(reads(ideas, idea)).toBe(true);
    expect(reads(timeline, touchpoint)).toBe(true);
  });
});

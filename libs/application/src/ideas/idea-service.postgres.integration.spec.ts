import { randomUUID } from 'node:crypto';
import { type EventStore, openEventStore } from '@rapport/event-store';
import { describeWithServices } from '@rapport/testing';
import { Client } from 'pg';
import { IdeaConflictError, IdeaService } from './idea-service';

const AT = '2026-03-01T10:00:00.000Z';
const staff = { kind: 'staff' as const, staffId: 's' };

describeWithServices(
  ['postgres'],
  'IdeaService on PostgreSQL: optimistic concurrency under contention',
  (urls) => {
    const schema = `ideas_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    let store: EventStore;
    beforeAll(async () => {
      store = await openEventStore(`${urls.postgres}?schema=${schema}`);
    });
    afterAll(async () => {
      await store.close();
      const client = new Client({ connectionString: urls.postgres });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    });

    it('20 writers voting at once: every vote lands once, none lost', async () => {
      await new IdeaService(store).submit({
        ideaId: 'p1',
        title: 'Contended',
        customerId: 'c0',
        origin: staff,
        at: AT,
      });
      const writers = Array.from({ length: 20 }, () => new IdeaService(store, { retries: 50 }));
      await Promise.all(
        writers.map((w, i) => w.vote('p1', { customerId: `c${i + 1}`, origin: staff, at: AT })),
      );
      const { state, revision } = await writers[0].load('p1');
      expect(state!.votes.size).toBe(21);
      expect(revision).toBe(21);
    });

    it('10 staff moving the idea on with the revision they read: one wins, the others get a conflict', async () => {
      const service = new IdeaService(store);
      await service.submit({
        ideaId: 'p2',
        title: 'Race',
        customerId: 'c0',
        origin: staff,
        at: AT,
      });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          new IdeaService(store).changeStatus(
            'p2',
            { to: 'under_review', staffId: `s${i}`, at: AT },
            { expectedRevision: 1 },
          ),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(rejected.every((o) => o.reason instanceof IdeaConflictError)).toBe(true);
      expect((await service.load('p2')).state!.history.map((h) => h.status)).toEqual([
        'new',
        'under_review',
      ]);
    });

    it('10 staff racing without a revision: the first moves it, the others are decided again and refused', async () => {
      const service = new IdeaService(store);
      await service.submit({
        ideaId: 'p3',
        title: 'Race again',
        customerId: 'c0',
        origin: staff,
        at: AT,
      });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) =>
          new IdeaService(store, { retries: 20 }).changeStatus('p3', {
            to: 'under_review',
            staffId: `s${i}`,
            at: AT,
          }),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const reasons = outcomes.flatMap((o) =>
        o.status === 'rejected' ? [(o.reason as { code?: string }).code] : [],
      );
      expect(reasons.every((code) => code === 'illegal-transition')).toBe(true);
    });

    it('a staff status change gets through while an intake keeps adding votes (default retries)', async () => {
      const service = new IdeaService(store);
      await service.submit({
        ideaId: 'p4',
        title: 'Busy',
        customerId: 'c0',
        origin: staff,
        at: AT,
      });
      // The intake (one writer, as the projector runs it) voting all the time: the stream
      // moves every few milliseconds.
      let voting = true;
      let votes = 0;
      const intake = Array.from({ length: 1 }, async (_, w) => {
        const writer = new IdeaService(store, { retries: 50 });
        for (let n = 0; voting; n++) {
          await writer.vote('p4', { customerId: `w${w}-${n}`, origin: staff, at: AT });
          votes++;
          // The projector's intake does other work between two votes: a millisecond here.
          await new Promise((r) => setTimeout(r, 1));
        }
      });
      while (votes < 20) await new Promise((r) => setTimeout(r, 5));
      try {
        const changed = await service.changeStatus('p4', {
          to: 'under_review',
          staffId: 's',
          at: AT,
        });
        expect(changed.events.map((e) => e.type)).toEqual(['idea.status-changed.v1']);
      } finally {
        voting = false;
        await Promise.all(intake);
      }
      expect((await service.load('p4')).state!.status).toBe('under_review');
    });
  },
);

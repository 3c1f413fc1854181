import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import { SqliteEventStore } from '@rapport/event-store';
import { TouchpointIngestion } from './ingest-touchpoints';

/** No tracer provider is registered in this file's process: tracing is off. */
describe('TouchpointIngestion with tracing off', () => {
  it('takes the trace context off the touchpoint and keeps none in the log', async () => {
    const store = new SqliteEventStore({ path: ':memory:' });
    try {
      const ingestion = new TouchpointIngestion(store, {
        now: () => new Date('2026-06-01T12:00:00Z'),
      });
      const [result] = await ingestion.ingest(
        [
          {
            specversion: '1.0',
            id: 'off-1',
            source: 'adapters/email',
            type: 'touchpoint.recorded.v1',
            time: '2026-05-31T09:30:00Z',
            traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
            data: {
              channel: 'email',
              direction: 'inbound',
              identity: { kind: 'email', value: 'off@example.com' },
            },
          },
        ],
        UNRESTRICTED_SCOPE,
      );
      expect(result.status).toBe('accepted');
      const [stored] = await store.readAll({ after: 0, maxCount: 10 });
      expect(stored.metadata).not.toHaveProperty('trace');
    } finally {
      await store.close();
    }
  });
});

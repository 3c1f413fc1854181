import { type AuthedHttp, embeddedHttpApp } from '../http/embedded-http-app.spec-helper';
import { type INestApplication } from '@nestjs/common';
import { VALID_EVENT_SAMPLES, hostileInboundEvent } from '@rapport/testing';
import fc from 'fast-check';

/**
 * `POST /v1/touchpoints` against hostile variants of every accepted event type (generated
 * from the DTOs' own metadata), alone and between valid neighbours, in process over the
 * real Nest app on the embedded log.
 */
describe('POST /v1/touchpoints fuzz', () => {
  let app: INestApplication;
  let http: AuthedHttp;

  beforeAll(async () => {
    ({ app, http } = await embeddedHttpApp({ maxBatchSize: 50, maxBodyBytes: 1_000_000 }));
  });
  afterAll(() => app.close());

  it('answers one hostile event with a 2xx, a 400 problem with field errors, or a 409; never a 5xx', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(hostileInboundEvent('?'), async (event) => {
        n += 1;
        if (event.id === '?') event.id = `single-${n}`;
        const res = await http
          .post('/v1/touchpoints')
          .set('content-type', 'application/cloudevents+json')
          .send(JSON.stringify(event));
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(res.body).toMatchObject({
            status: res.status,
            title: expect.any(String),
            detail: expect.any(String),
          });
          if (res.status === 400) expect(res.body.errors.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('stores every valid neighbour of hostile events in a batch, and reports each item', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(hostileInboundEvent('?'), { minLength: 1, maxLength: 10 }),
        async (hostile) => {
          round += 1;
          const batch: unknown[] = [];
          hostile.forEach((event, i) => {
            if (event.id === '?') event.id = `batch-${round}-h${i}`;
            batch.push(event, VALID_EVENT_SAMPLES['touchpoint.recorded.v1'](`batch-${round}-${i}`));
          });
          const res = await http.post('/v1/touchpoints').send(batch);
          expect(res.status).toBeLessThan(500);
          if (res.status === 413 || (res.status === 400 && !res.body.results)) return; // the batch as a whole
          expect(res.body.results).toHaveLength(batch.length);
          batch.forEach((_, i) => {
            const result = res.body.results[i];
            expect(result.index).toBe(i);
            if (i % 2 === 1) expect(result.status).toBe('accepted');
            else expect(['accepted', 'duplicate', 'rejected', 'conflict']).toContain(result.status);
            if (result.status === 'rejected') expect(result.errors.length).toBeGreaterThan(0);
          });
          expect(res.body.failed).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });
});

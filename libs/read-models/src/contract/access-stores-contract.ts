import { UNRESTRICTED_SCOPE } from '@rapport/domain';
import { type AccessStores } from '../access/access-stores';
import { type AdapterKeyRecord } from '../access/adapter-key-store';
import { type AuditEntry } from '../access/audit-trail';
import { type AdapterUnderTest, openModelPerTest } from './adapter-under-test';

const DAY = 24 * 60 * 60 * 1000;

function key(id: string, createdAt: string): AdapterKeyRecord {
  return {
    id,
    name: `adapter ${id}`,
    secretHash: 'ab'.repeat(32),
    scope: UNRESTRICTED_SCOPE,
    createdAt,
  };
}

function entry(at: string, customerId?: string, action = 'timeline.read'): AuditEntry {
  return {
    at,
    actor: 'agent-1',
    roles: ['agent'],
    action,
    status: 200,
    ...(customerId ? { customerId } : {}),
  };
}

/** What every backend of the access stores does (memory and Redis run it). */
export function describeAccessStoresContract(adapter: AdapterUnderTest<AccessStores>): void {
  describe(`access stores contract (${adapter.name})`, () => {
    let stores: AccessStores;
    openModelPerTest(adapter, (opened) => (stores = opened));

    it('keeps adapter keys by id, lists them oldest first, and replaces on put', async () => {
      await stores.adapterKeys.put(key('b', '2026-01-02T00:00:00.000Z'));
      await stores.adapterKeys.put(key('a', '2026-01-01T00:00:00.000Z'));
      expect((await stores.adapterKeys.list()).map((k) => k.id)).toEqual(['a', 'b']);
      const rotated = { ...key('a', '2026-01-01T00:00:00.000Z'), secretHash: 'cd'.repeat(32) };
      await stores.adapterKeys.put(rotated);
      expect(await stores.adapterKeys.get('a')).toEqual(rotated);
      expect(await stores.adapterKeys.get('missing')).toBeUndefined();
    });

    it('keeps a revocation whatever is put afterwards (a rotation racing a revoke)', async () => {
      const record = key('r', '2026-01-01T00:00:00.000Z');
      await stores.adapterKeys.put(record);
      await stores.adapterKeys.revoke('r', '2026-02-01T00:00:00.000Z');
      await stores.adapterKeys.put({ ...record, secretHash: 'ef'.repeat(32) }); // a late rotation
      await stores.adapterKeys.revoke('r', '2026-03-01T00:00:00.000Z');
      expect(await stores.adapterKeys.get('r')).toEqual({
        ...record,
        secretHash: 'ef'.repeat(32),
        revokedAt: '2026-02-01T00:00:00.000Z',
      });
      expect((await stores.adapterKeys.list()).find((k) => k.id === 'r')?.revokedAt).toBe(
        '2026-02-01T00:00:00.000Z',
      );
    });

    it('answers audit entries newest first, per customer or all, up to the limit', async () => {
      await stores.audit.record(entry('2026-03-01T10:00:00.000Z', 'c1'), 30 * DAY);
      await stores.audit.record(entry('2026-03-01T10:00:01.000Z', 'c2'), 30 * DAY);
      await stores.audit.record(
        entry('2026-03-01T10:00:02.000Z', 'c1', 'customer.merge'),
        30 * DAY,
      );
      await stores.audit.record(
        entry('2026-03-01T10:00:02.000Z', 'c1', 'customer.merge'),
        30 * DAY,
      );
      const now = new Date('2026-03-02T00:00:00.000Z');
      const ofC1 = await stores.audit.query({ customerId: 'c1', limit: 10 }, now);
      expect(ofC1.map((e) => e.action)).toEqual([
        'customer.merge',
        'customer.merge',
        'timeline.read',
      ]);
      expect(ofC1[2]).toEqual(entry('2026-03-01T10:00:00.000Z', 'c1'));
      expect(await stores.audit.query({ limit: 2 }, now)).toHaveLength(2);
      expect((await stores.audit.query({ limit: 10 }, now)).map((e) => e.customerId)).toEqual([
        'c1',
        'c1',
        'c2',
        'c1',
      ]);
    });

    it('drops audit entries past the retention when newer ones are written', async () => {
      await stores.audit.record(entry('2026-01-01T00:00:00.000Z', 'c1'), DAY);
      await stores.audit.record(entry('2026-01-03T00:00:00.000Z', 'c1', 'profile.read'), DAY);
      const left = await stores.audit.query(
        { customerId: 'c1', limit: 10 },
        new Date('2026-01-03T01:00:00.000Z'),
      );
      expect(left.map((e) => e.action)).toEqual(['profile.read']);
    });

    it('counts hits per key within a window', async () => {
      expect((await stores.rateLimits.hit('p1', 60_000)).hits).toBe(1);
      expect((await stores.rateLimits.hit('p1', 60_000)).hits).toBe(2);
      const other = await stores.rateLimits.hit('p2', 60_000);
      expect(other.hits).toBe(1);
      expect(other.resetInMs).toBeGreaterThan(0);
      expect(other.resetInMs).toBeLessThanOrEqual(60_000);
    });

    it('counts several hits at once', async () => {
      await stores.rateLimits.hit('p4', 60_000);
      expect((await stores.rateLimits.hit('p4', 60_000, 5)).hits).toBe(6);
    });

    it('records a batch of audit entries as one', async () => {
      await stores.audit.recordAll(
        [entry('2026-03-01T10:00:00.000Z', 'c7'), entry('2026-03-01T10:00:01.000Z', 'c8')],
        30 * DAY,
      );
      await stores.audit.recordAll([], 30 * DAY);
      const now = new Date('2026-03-01T11:00:00.000Z');
      expect((await stores.audit.query({ customerId: 'c8', limit: 10 }, now)).length).toBe(1);
      expect((await stores.audit.query({ limit: 10 }, now)).map((e) => e.customerId)).toEqual([
        'c8',
        'c7',
      ]);
    });

    it('starts a new window once the old one ends', async () => {
      await stores.rateLimits.hit('p3', 50);
      await stores.rateLimits.hit('p3', 50);
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect((await stores.rateLimits.hit('p3', 50)).hits).toBe(1);
    });
  });
}

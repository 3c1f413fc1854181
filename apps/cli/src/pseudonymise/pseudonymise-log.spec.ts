import { randomBytes, randomUUID } from 'node:crypto';
import {
  DEFAULT_IDENTITY_POLICY,
  IDENTITY_GRAPH_STREAM,
  identityDecisionIdFor,
  PlainLogPseudonyms,
  resolveTouchpointIdentities,
  EMPTY_IDENTITY_GRAPH,
  touchpointIdentitiesOf,
} from '@rapport/domain';
import { type EventStore, openEventStore } from '@rapport/event-store';
import {
  BlindIndex,
  openPersonalData,
  type PersonalData,
  privacySettingsFrom,
} from '@rapport/privacy';
import { parseInboundEvent, toLogEvent } from '@rapport/wire';
import {
  learnPlainLog,
  pseudonymiseLog,
  rewrittenView,
  verifyPseudonymisedLog,
} from './pseudonymise-log';

const NOW = new Date('2026-03-01T00:00:00Z');

/** A plain log of one touchpoint (its `conversationId` as given) and the decision it caused. */
async function plainLog(conversationId = 'conv-1'): Promise<EventStore> {
  const log = await openEventStore('sqlite::memory:', { raw: true });
  const parsed = parseInboundEvent(
    {
      specversion: '1.0',
      id: 'one',
      source: 'adapters/email',
      type: 'touchpoint.recorded.v1',
      time: '2026-02-01T10:00:00Z',
      data: {
        channel: 'email',
        direction: 'inbound',
        identity: { kind: 'email', value: 'dora@example.com' },
        content: { text: 'a private text' },
        conversationId,
      },
    },
    { now: NOW },
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const draft = toLogEvent(parsed.value);
  const { position } = await log.append(draft.streamId, [draft]);
  const resolution = resolveTouchpointIdentities(
    EMPTY_IDENTITY_GRAPH,
    touchpointIdentitiesOf(draft)!,
  );
  if (!resolution.ok) throw new Error('not resolved');
  await log.append(
    IDENTITY_GRAPH_STREAM,
    resolution.value.events.map((e, i) => ({
      id: identityDecisionIdFor(draft.id, i),
      type: e.type,
      data: e.data,
      metadata: { causationId: draft.id, causePosition: position },
    })),
  );
  return log;
}

describe('verifying a pseudonymised log', () => {
  let personalData: PersonalData;
  const open: EventStore[] = [];
  const store = async () => {
    const s = await openEventStore('sqlite::memory:', { raw: true });
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    const settings = privacySettingsFrom(process.env);
    if (!settings || settings === 'off') throw new Error('the test environment sets keys');
    personalData = await openPersonalData({ ...settings, keysUrl: 'memory' }, 'sqlite::memory:');
  });
  afterAll(async () => {
    await Promise.all(open.map((s) => s.close()));
    await personalData.close();
  });

  async function moved(source: EventStore, pseudonyms = learntFrom(personalData)) {
    await learnPlainLog(source, pseudonyms);
    const raw = await store();
    await pseudonymiseLog(source, personalData.protect(raw), pseudonyms);
    return { raw, pseudonyms };
  }
  const learntFrom = (data: PersonalData) =>
    new PlainLogPseudonyms(data.hashIdentity, DEFAULT_IDENTITY_POLICY);
  const verify = (source: EventStore, raw: EventStore, pseudonyms: PlainLogPseudonyms) =>
    verifyPseudonymisedLog(
      source,
      personalData.protect(raw),
      raw,
      pseudonyms,
      personalData.hashIdentity,
    );

  it('passes a faithful move', async () => {
    const source = await plainLog();
    open.push(source);
    const { raw, pseudonyms } = await moved(source);
    expect(await verify(source, raw, pseudonyms)).toEqual({ compared: 2, mismatches: [] });
  });

  it('fails a log written with another pepper', async () => {
    const source = await plainLog();
    open.push(source);
    const other = new PlainLogPseudonyms(
      new BlindIndex(randomBytes(32)).pseudonymOf,
      DEFAULT_IDENTITY_POLICY,
    );
    const { raw } = await moved(source, other);
    const pseudonyms = learntFrom(personalData);
    await learnPlainLog(source, pseudonyms);
    const result = await verify(source, raw, pseudonyms);
    expect(result.mismatches[0]).toMatch(/event #1 .*not in the stream the rewrite gives/);
  });

  it('fails a log whose encrypted plain value is not the source value', async () => {
    const source = await plainLog();
    open.push(source);
    const pseudonyms = learntFrom(personalData);
    await learnPlainLog(source, pseudonyms);
    const raw = await store();
    const view = rewrittenView(source, pseudonyms);
    const events = await view.readAll();
    const [touchpoint, decision] = events;
    const data = touchpoint.data as { identity: Record<string, unknown> };
    const target = personalData.protect(raw);
    await target.append(touchpoint.streamId, [
      {
        id: touchpoint.id,
        type: touchpoint.type,
        data: { ...data, identity: { ...data.identity, plainValue: 'eve@example.com' } },
        metadata: touchpoint.metadata,
      },
    ]);
    await target.append(decision.streamId, [decision]);
    const result = await verify(source, raw, pseudonyms);
    expect(result.mismatches).toEqual([
      `event #1 (${touchpoint.id}): decrypted data is not the rewritten source data`,
    ]);
  });

  it('fails a log that stores a plain identity value where nothing is encrypted', async () => {
    // An adapter that put the address into the conversation id: the move keeps it, the check finds it.
    const source = await plainLog('dora@example.com');
    open.push(source);
    const { raw, pseudonyms } = await moved(source);
    const result = await verify(source, raw, pseudonyms);
    expect(result.mismatches).toHaveLength(1);
    expect(result.mismatches[0]).toMatch(
      /a plain identity value is stored in data\.conversationId$/,
    );
    expect(result.mismatches[0]).not.toContain('dora@');
  });

  it('fails when the counts differ', async () => {
    const source = await plainLog();
    open.push(source);
    const { raw, pseudonyms } = await moved(source);
    await source.append('other', [{ id: randomUUID(), type: 'x.happened.v1', data: {} }]);
    const result = await verify(source, raw, pseudonyms);
    expect(result.mismatches).toEqual(['the source has more events after #2']);
  });
});

import { InvalidTouchpointError } from './publish-errors';
import { type TouchpointInput } from './touchpoint-input';
import { TouchpointPublisher } from './touchpoint-publisher';

// Never connected: validation happens before anything is sent.
const publisher = new TouchpointPublisher({
  brokers: ['127.0.0.1:1'],
  clientId: 'adapter-sdk-names',
  source: 'adapters/chat',
  now: () => new Date('2026-03-10T12:00:00Z'),
});

const chat = (id: string, name?: unknown): TouchpointInput =>
  ({
    id,
    time: '2026-03-01T09:00:00Z',
    data: {
      channel: 'chat',
      direction: 'inbound',
      identity: { kind: 'chat', value: 'visitor-1' },
      ...(name === undefined ? {} : { name }),
    },
  }) as TouchpointInput;

async function errorsOf(promise: Promise<unknown>): Promise<string[]> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InvalidTouchpointError) return error.errors.map((e) => e.path);
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('adapter SDK: the name a channel saw', () => {
  it('takes a name on the touchpoint, and refuses a bad one before sending', async () => {
    // The first item (a valid name) passes; only the second is refused, on its name.
    expect(
      await errorsOf(publisher.publishBatch([chat('c-1', 'Visitor Ana'), chat('c-2', 'Ana\n')])),
    ).toEqual(['[1].data.name']);
    expect(await errorsOf(publisher.publish(chat('c-3', 'x'.repeat(201))))).toEqual(['data.name']);
  });
});

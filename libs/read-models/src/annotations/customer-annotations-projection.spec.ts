import {
  CUSTOMER_ERASED_V1,
  CUSTOMER_LABELLED_V1,
  CUSTOMER_NOTE_ADDED_V1,
  CUSTOMER_UNLABELLED_V1,
} from '@rapport/domain';
import { type RecordedEvent } from '@rapport/event-store';
import { liveChangeOf, MAX_LIVE_CUSTOMER_IDS } from '../live/live-changes';
import { annotationChangesOf } from './customer-annotations-projection';

const event = (position: number, type: string, data: unknown, metadata: unknown = {}) =>
  ({ id: `e${position}`, position, type, data, metadata }) as unknown as RecordedEvent;

describe('the annotations projection', () => {
  it('turns notes, labels and erasures into changes in log order, skipping an erased text', () => {
    const note = { noteId: 'n1', customerId: 'c1', text: 'Call back', staffId: 's', at: 't' };
    expect(
      annotationChangesOf([
        event(1, CUSTOMER_NOTE_ADDED_V1, note),
        event(2, CUSTOMER_NOTE_ADDED_V1, { ...note, noteId: 'n2', text: { erased: true } }),
        event(3, CUSTOMER_LABELLED_V1, { customerId: 'c1', label: 'vip', staffId: 's', at: 't' }),
        event(4, CUSTOMER_UNLABELLED_V1, { customerId: 'c1', label: 'vip', staffId: 's', at: 't' }),
        event(5, 'touchpoint.recorded.v1', { customerId: 'c1' }),
        event(6, CUSTOMER_ERASED_V1, {
          customerId: 'c1',
          erasedCustomerIds: ['c1', 'c0'],
          identityKeys: [],
          reason: 'r',
          requestedBy: 's',
          at: 't',
        }),
      ]),
    ).toEqual([
      { kind: 'note', note: { ...note, position: 1 } },
      { kind: 'label', customerId: 'c1', label: 'vip' },
      { kind: 'unlabel', customerId: 'c1', label: 'vip' },
      { kind: 'erase', customerId: 'c1' },
      { kind: 'erase', customerId: 'c0' },
    ]);
  });
});

describe('the live change of a batch', () => {
  it('names the customers its events are filed for and the identity events move', () => {
    expect(
      liveChangeOf(
        [
          event(1, 'touchpoint.recorded.v1', {}, { customerId: 'c1' }),
          event(2, 'customer.merged.v1', { survivorId: 'c2', mergedId: 'c3' }),
          event(3, 'touchpoint.recorded.v1', {}, { customerId: 'c1' }),
        ],
        3,
      ),
    ).toEqual({ kind: 'customers', customerIds: ['c1', 'c2', 'c3'], position: 3 });
    expect(liveChangeOf([event(1, 'idea.voted.v1', { ideaId: 'i' })], 1)).toBeNull();
  });

  it('says "all" instead of listing more customers than its bound', () => {
    const many = Array.from({ length: MAX_LIVE_CUSTOMER_IDS + 1 }, (_, i) =>
      event(i + 1, 'touchpoint.recorded.v1', {}, { customerId: `c${i}` }),
    );
    expect(liveChangeOf(many, 9)).toEqual({
      kind: 'customers',
      customerIds: [],
      position: 9,
      all: true,
    });
  });
});

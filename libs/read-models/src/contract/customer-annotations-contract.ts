import {
  type AnnotationChange,
  type CustomerAnnotationsReadModel,
  type CustomerNote,
} from '../annotations/customer-annotations-read-model';
import { CheckpointMismatchError } from '../projection/checkpoint';
import { type AdapterUnderTest, openModelPerTest } from './adapter-under-test';

const note = (noteId: string, customerId: string, position: number, text = `note ${noteId}`) =>
  ({
    kind: 'note',
    note: {
      noteId,
      customerId,
      text,
      staffId: 'agent-1',
      staffName: 'Agent One',
      at: `2026-03-01T10:00:0${position % 10}.000Z`,
      position,
    } satisfies CustomerNote,
  }) as const;

/** What every backend of the staff annotations does (memory and Redis run it). */
export function describeCustomerAnnotationsContract(
  adapter: AdapterUnderTest<CustomerAnnotationsReadModel>,
): void {
  describe(`customer annotations contract (${adapter.name})`, () => {
    let model: CustomerAnnotationsReadModel;
    openModelPerTest(adapter, (opened) => (model = opened));

    it('keeps notes per customer, newest first across merged ids, paged by position', async () => {
      await model.apply([note('a', 'c1', 1), note('b', 'c2', 2), note('c', 'c1', 3)], {
        after: 0,
        upTo: 3,
      });
      expect(await model.checkpoint()).toBe(3);
      expect((await model.notes(['c1'], { limit: 10 })).map((n) => n.noteId)).toEqual(['c', 'a']);
      const both = await model.notes(['c1', 'c2', 'c1'], { limit: 10 });
      expect(both.map((n) => n.noteId)).toEqual(['c', 'b', 'a']);
      expect(both[0]).toEqual(note('c', 'c1', 3).note);
      expect((await model.notes(['c1', 'c2'], { limit: 2 })).map((n) => n.noteId)).toEqual([
        'c',
        'b',
      ]);
      expect(
        (await model.notes(['c1', 'c2'], { limit: 10, before: 3 })).map((n) => n.noteId),
      ).toEqual(['b', 'a']);
      expect(await model.notes(['nobody'], { limit: 10 })).toEqual([]);
    });

    it('keeps any text as written (quotes, newlines, emoji, Lua and JSON specials)', async () => {
      const text = 'He said "no"\n\t— {"x":1} [[ ]] %s \\ 😀 \u2028';
      await model.apply([note('t', 'c1', 1, text)], { after: 0, upTo: 1 });
      expect((await model.notes(['c1'], { limit: 1 }))[0].text).toBe(text);
    });

    it('labels and unlabels in log order, and lists customers per label', async () => {
      const changes: AnnotationChange[] = [
        { kind: 'label', customerId: 'c1', label: 'vip' },
        { kind: 'label', customerId: 'c2', label: 'vip' },
        { kind: 'label', customerId: 'c1', label: 'b2b:gold' },
        { kind: 'unlabel', customerId: 'c2', label: 'vip' },
        { kind: 'label', customerId: 'c3', label: 'vip' },
        { kind: 'label', customerId: 'c3', label: 'vip' },
      ];
      await model.apply(changes, { after: 0, upTo: 6 });
      expect(await model.labels(['c1'])).toEqual(['b2b:gold', 'vip']);
      expect(await model.labels(['c2'])).toEqual([]);
      expect(await model.labels(['c2', 'c3'])).toEqual(['vip']);
      expect(await model.labels([])).toEqual([]);
      expect(await model.customersLabelled('vip', 10)).toEqual(['c1', 'c3']);
      expect(await model.customersLabelled('vip', 1)).toEqual(['c1']);
      expect(await model.customersLabelled('none', 10)).toEqual([]);
    });

    it('drops an erased customer’s notes and labels, and keeps everyone else’s', async () => {
      await model.apply(
        [
          note('a', 'c1', 1),
          note('b', 'c2', 2),
          { kind: 'label', customerId: 'c1', label: 'vip' },
          { kind: 'label', customerId: 'c2', label: 'vip' },
          { kind: 'erase', customerId: 'c1' },
        ],
        { after: 0, upTo: 5 },
      );
      expect(await model.notes(['c1', 'c2'], { limit: 10 })).toEqual([note('b', 'c2', 2).note]);
      expect(await model.labels(['c1'])).toEqual([]);
      expect(await model.customersLabelled('vip', 10)).toEqual(['c2']);
    });

    it('refuses a batch that does not continue from its checkpoint, writing nothing', async () => {
      await model.apply([], { after: 0, upTo: 4 });
      await expect(model.apply([note('x', 'c1', 9)], { after: 2, upTo: 9 })).rejects.toThrow(
        CheckpointMismatchError,
      );
      expect(await model.notes(['c1'], { limit: 10 })).toEqual([]);
      expect(await model.checkpoint()).toBe(4);
    });

    it('forgets everything on clear', async () => {
      await model.apply([note('a', 'c1', 1), { kind: 'label', customerId: 'c1', label: 'x' }], {
        after: 0,
        upTo: 2,
      });
      await model.clear();
      expect(await model.checkpoint()).toBe(0);
      expect(await model.notes(['c1'], { limit: 10 })).toEqual([]);
      expect(await model.customersLabelled('x', 10)).toEqual([]);
    });
  });
}

import { mapPersonalFields, personalSubjectsOf } from './personal-fields';

describe('personal fields: the name a channel saw', () => {
  const event = {
    type: 'touchpoint.recorded.v1',
    data: {
      channel: 'email',
      direction: 'inbound',
      identity: { kind: 'email', value: '~pseudonym', plainValue: 'ann@example.com' },
      content: { text: 'Hello' },
      name: 'Ann Smith',
    },
    metadata: { customerId: 'c-1', ce: { source: 's' } },
  };

  it('is a personal field of the touchpoint’s customer, walked last', () => {
    const visited: string[] = [];
    const { data } = mapPersonalFields(event, (subject, field, value) => {
      visited.push(`${subject} ${field}`);
      return `sealed(${value})`;
    });
    expect(visited).toEqual(['c-1 identity.plainValue', 'c-1 content.text', 'c-1 name']);
    expect((data as { name: string }).name).toBe('sealed(Ann Smith)');
    expect(personalSubjectsOf(event)).toEqual(new Set(['c-1']));
  });

  it('leaves an event without a name as it was', () => {
    const { name: _name, ...without } = event.data;
    const before = { ...event, data: without };
    const visited: string[] = [];
    mapPersonalFields(before, (_s, field, value) => (visited.push(field), value));
    expect(visited).toEqual(['identity.plainValue', 'content.text']);
  });
});

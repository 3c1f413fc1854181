import { scratch, view } from './scratch-space';

describe('view', () => {
  it('hands out one view per range of the kept space, over its bytes', () => {
    const space = scratch(100);
    const first = view(space, 10, 20);
    expect(view(space, 10, 20)).toBe(first);
    expect(view(space, 10, 21)).not.toBe(first);
    expect(first.length).toBe(10);
    space[10] = 7;
    expect(first[0]).toBe(7);
    space[10] = 0;
  });

  it('makes new views once the space was replaced by a larger one', () => {
    const small = scratch(100);
    const before = view(small, 0, 8);
    const larger = scratch(small.length + 1);
    expect(larger).not.toBe(small);
    const after = view(larger, 0, 8);
    expect(after).not.toBe(before);
    expect(after.buffer).toBe(larger.buffer);
  });

  it('gives space of its own (above the kept size) a view of that space', () => {
    const own = scratch(128 * 1024);
    expect(scratch(100)).not.toBe(own);
    const part = view(own, 5, 9);
    expect(part.buffer).toBe(own.buffer);
    expect(part.byteOffset).toBe(own.byteOffset + 5);
    expect(view(own, 5, 9)).not.toBe(part);
  });
});

/**
 * A set of at most `max` strings that forgets the oldest one added when full: for what a
 * writer remembers having written (forgetting costs a write again, never correctness).
 * A lookup is a plain `Set` lookup — a rebuild makes one per entry, where an LRU's
 * bookkeeping cost more than the writes it saved.
 */
export class BoundedSet {
  private readonly members = new Set<string>();
  /** The members in the order they were added, a ring: `next` is the oldest when full. */
  private readonly order: string[] = [];
  private next = 0;

  constructor(private readonly max: number) {
    if (!(max >= 1)) throw new RangeError(`a bounded set holds at least 1 member, not ${max}`);
  }

  get size(): number {
    return this.members.size;
  }

  has(member: string): boolean {
    return this.members.has(member);
  }

  add(member: string): void {
    if (this.members.has(member)) return;
    if (this.order.length < this.max) this.order.push(member);
    else {
      this.members.delete(this.order[this.next]);
      this.order[this.next] = member;
      this.next = (this.next + 1) % this.max;
    }
    this.members.add(member);
  }

  /**
   * Forgets a member. Its place in the ring stays until it comes round: added again before
   * then, it is forgotten that much earlier (never later, so the bound holds).
   */
  delete(member: string): void {
    this.members.delete(member);
  }

  clear(): void {
    this.members.clear();
    this.order.length = 0;
    this.next = 0;
  }
}

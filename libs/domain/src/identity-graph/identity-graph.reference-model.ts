import { type ChannelIdentity, identityKey } from '../identity/channel-identity';
import { customerIdFor } from '../identity/customer-id';
import { restartedCustomerIdFor } from './fresh-customer-id';
import { type IdentityPolicy } from './identity-policy';

/**
 * A deliberately naive model of the identity graph, for the property tests: plain maps and
 * lists, every answer recomputed from scratch by the most obvious loop, and the rules of
 * the issue written out once more in the plainest form. No persistent maps, no events, no
 * caching — if the real graph and this one disagree, one of them is wrong.
 */

export type ReferenceOutcome = { ok: true; customerId?: string } | { ok: false; code: string };

interface ReferenceMergeRecord {
  readonly action: 'merged' | 'unmerged';
  readonly survivorId: string;
  readonly mergedId: string;
}

const sorted = (items: Iterable<string>): string[] =>
  [...items].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const pair = (a: string, b: string): string => sorted([a, b]).join('|');

export class ReferenceIdentityGraph {
  /** identity key → the customer holding it directly */
  private readonly home = new Map<string, string>();
  /** customer ids, oldest first */
  private readonly created: string[] = [];
  /** merged customer → the survivor it redirects to */
  private readonly parent = new Map<string, string>();
  private readonly unmergedPairs = new Set<string>();
  private readonly suggested = new Set<string>();
  private readonly records: ReferenceMergeRecord[] = [];

  /** Pseudonymous identities seen flagged `blocked` (a pattern cannot match a pseudonym). */
  private readonly flagged = new Set<string>();

  constructor(private readonly policy: IdentityPolicy) {}

  private learn(identities: readonly ChannelIdentity[]): void {
    for (const identity of identities)
      if (identity.blocked) this.flagged.add(identityKey(identity));
  }

  // ——— answers ———

  customers(): string[] {
    return sorted(this.created);
  }

  rootOf(customerId: string): string {
    let current = customerId;
    while (this.parent.has(current)) current = this.parent.get(current) as string;
    return current;
  }

  customerOf(key: string): string | undefined {
    const home = this.home.get(key);
    return home === undefined ? undefined : this.rootOf(home);
  }

  homeOf(key: string): string | undefined {
    return this.home.get(key);
  }

  groupOf(customerId: string): string[] {
    const root = this.rootOf(customerId);
    return this.created.filter((c) => this.rootOf(c) === root);
  }

  identityKeysOf(customerId: string): string[] {
    const group = this.groupOf(customerId);
    return sorted([...this.home].filter(([, c]) => group.includes(c)).map(([key]) => key));
  }

  ownKeysOf(customerId: string): string[] {
    return sorted([...this.home].filter(([, c]) => c === customerId).map(([key]) => key));
  }

  mergedCustomersOf(customerId: string): string[] {
    const root = this.rootOf(customerId);
    return sorted(this.groupOf(customerId).filter((c) => c !== root));
  }

  historyOf(customerId: string): [string, string, string][] {
    return this.records
      .filter((r) => r.survivorId === customerId || r.mergedId === customerId)
      .map((r) => [r.action, r.survivorId, r.mergedId]);
  }

  suggestedPairs(): string[] {
    return sorted(this.suggested);
  }

  keptApartPairs(): string[] {
    return sorted(this.unmergedPairs);
  }

  knownKeys(): string[] {
    return sorted(this.home.keys());
  }

  // ——— commands ———

  touch(raw: readonly ChannelIdentity[]): ReferenceOutcome {
    this.learn(raw);
    if (raw.length === 0) return { ok: false, code: 'no-identity' };
    const byKey = new Map<string, ChannelIdentity>();
    for (const identity of raw) {
      const seen = byKey.get(identityKey(identity));
      const verified = identity.verified === true || seen?.verified === true;
      byKey.set(identityKey(identity), { ...(seen ?? identity), verified });
    }
    const list = this.byPriority([...byKey.values()]);
    const usable = list.filter((i) => !this.isBlocked(i));
    if (usable.length === 0) {
      const primary = list[0];
      const known = this.customerOf(identityKey(primary));
      if (known !== undefined) return { ok: true, customerId: known };
      return { ok: true, customerId: this.start(primary) };
    }
    const known = usable.filter((i) => this.home.has(identityKey(i)));
    const unknown = usable.filter((i) => !this.home.has(identityKey(i)));
    let survivor: string;
    if (known.length === 0) {
      survivor = this.start(unknown.shift() as ChannelIdentity);
    } else {
      const roots = this.bySurvivorRule([
        ...new Set(known.map((i) => this.customerOf(identityKey(i)) as string)),
      ]);
      survivor = roots[0];
      for (const other of roots.slice(1)) {
        const joining = known.filter((i) =>
          [survivor, other].includes(this.customerOf(identityKey(i)) as string),
        );
        if (this.areKeptApart(survivor, other)) continue;
        if (this.mayMergeAutomatically(survivor, other, joining)) this.mergeInto(survivor, other);
        else this.suggested.add(pair(survivor, other));
      }
    }
    for (const identity of unknown) {
      if (this.countOfKind(survivor, identity.kind) < this.max(identity.kind)) {
        this.home.set(identityKey(identity), survivor);
      } else {
        this.suggested.add(pair(survivor, this.start(identity)));
      }
    }
    return { ok: true, customerId: survivor };
  }

  link(a: ChannelIdentity, b: ChannelIdentity, byStaff: boolean): ReferenceOutcome {
    this.learn([a, b]);
    if (identityKey(a) === identityKey(b)) return { ok: false, code: 'same-identity' };
    if (this.isBlocked(a) || this.isBlocked(b)) return { ok: false, code: 'blocked-identity' };
    const [first, second] = this.byPriority([a, b]);
    const customerOfFirst = this.customerOf(identityKey(first));
    const customerOfSecond = this.customerOf(identityKey(second));
    if (customerOfFirst === undefined && customerOfSecond === undefined) {
      if (first.kind === second.kind && this.max(first.kind) < 2) {
        return { ok: false, code: 'kind-limit' };
      }
      const customerId = this.start(first);
      this.home.set(identityKey(second), customerId);
      return { ok: true };
    }
    if (customerOfFirst === undefined || customerOfSecond === undefined) {
      const newcomer = customerOfFirst === undefined ? first : second;
      const customerId = (customerOfFirst ?? customerOfSecond) as string;
      if (this.countOfKind(customerId, newcomer.kind) >= this.max(newcomer.kind)) {
        return { ok: false, code: 'kind-limit' };
      }
      this.home.set(identityKey(newcomer), customerId);
      return { ok: true };
    }
    if (customerOfFirst === customerOfSecond) return { ok: false, code: 'already-linked' };
    if (byStaff) return { ok: false, code: 'different-customers' };
    const [survivor, merged] = this.bySurvivorRule([customerOfFirst, customerOfSecond]);
    if (this.areKeptApart(survivor, merged)) return { ok: false, code: 'kept-apart' };
    if (this.mayMergeAutomatically(survivor, merged, [first, second])) {
      this.mergeInto(survivor, merged);
    } else {
      this.suggested.add(pair(survivor, merged));
    }
    return { ok: true };
  }

  unlink(identity: ChannelIdentity): ReferenceOutcome {
    this.learn([identity]);
    const home = this.home.get(identityKey(identity));
    if (home === undefined) return { ok: false, code: 'unknown-identity' };
    if (this.ownKeysOf(home).length <= 1) return { ok: false, code: 'last-identity' };
    this.home.delete(identityKey(identity));
    this.start(identity);
    return { ok: true };
  }

  merge(survivorId: string, mergedId: string): ReferenceOutcome {
    if (!this.created.includes(survivorId) || !this.created.includes(mergedId)) {
      return { ok: false, code: 'unknown-customer' };
    }
    if (survivorId === mergedId) return { ok: false, code: 'merge-into-itself' };
    if (this.rootOf(survivorId) === survivorId && this.rootOf(mergedId) === survivorId) {
      return { ok: false, code: 'already-merged' };
    }
    if (this.parent.has(survivorId)) return { ok: false, code: 'survivor-is-merged' };
    if (this.parent.has(mergedId)) return { ok: false, code: 'customer-is-merged' };
    const holdsBlocked = (c: string) =>
      this.identityKeysOf(c).some((key) => this.isBlockedKey(key));
    if (holdsBlocked(survivorId) || holdsBlocked(mergedId)) {
      return { ok: false, code: 'blocked-identity' };
    }
    this.mergeInto(survivorId, mergedId);
    return { ok: true };
  }

  unmerge(survivorId: string, mergedId: string): ReferenceOutcome {
    if (!this.created.includes(survivorId) || !this.created.includes(mergedId)) {
      return { ok: false, code: 'unknown-customer' };
    }
    if (this.parent.get(mergedId) !== survivorId) return { ok: false, code: 'not-merged' };
    this.parent.delete(mergedId);
    this.unmergedPairs.add(pair(survivorId, mergedId));
    this.records.push({ action: 'unmerged', survivorId, mergedId });
    return { ok: true };
  }

  // ——— the rules, plainly ———

  private start(identity: ChannelIdentity): string {
    let id = customerIdFor(identity);
    for (let restart = 1; this.created.includes(id); restart++) {
      id = restartedCustomerIdFor(identity, restart);
    }
    this.created.push(id);
    this.home.set(identityKey(identity), id);
    return id;
  }

  private mergeInto(survivorId: string, mergedId: string): void {
    this.parent.set(mergedId, survivorId);
    this.records.push({ action: 'merged', survivorId, mergedId });
  }

  private mayMergeAutomatically(a: string, b: string, joining: ChannelIdentity[]): boolean {
    if (!this.isVisitorSigningIn(a, b, joining)) {
      if (joining.some((i) => !this.policy.autoMergeKinds.includes(i.kind))) return false;
      if (joining.some((i) => i.verified !== true)) return false;
    }
    const union = [...this.identityKeysOf(a), ...this.identityKeysOf(b)];
    if (union.some((key) => this.isBlockedKey(key))) return false;
    const kinds = union.map((key) => key.split(':')[0]);
    return kinds.every((kind) => kinds.filter((k) => k === kind).length <= this.max(kind));
  }

  /** `b` holds only anonymous kinds, `a` not; `a`'s identities on the touchpoint verified and auto-mergeable. */
  private isVisitorSigningIn(a: string, b: string, joining: ChannelIdentity[]): boolean {
    const anonymous = (key: string) =>
      (this.policy.anonymousKinds as readonly string[]).includes(key.split(':')[0]);
    const ofA = this.identityKeysOf(a);
    const ofB = this.identityKeysOf(b);
    if (ofA.length === 0 || ofB.length === 0) return false;
    if (!ofB.every(anonymous) || ofA.every(anonymous)) return false;
    const vouching = joining.filter((i) => ofA.includes(identityKey(i)));
    return (
      vouching.length > 0 &&
      vouching.every((i) => i.verified === true && this.policy.autoMergeKinds.includes(i.kind))
    );
  }

  private areKeptApart(a: string, b: string): boolean {
    return this.groupOf(a).some((x) =>
      this.groupOf(b).some((y) => this.unmergedPairs.has(pair(x, y))),
    );
  }

  private countOfKind(customerId: string, kind: string): number {
    return this.identityKeysOf(customerId).filter((key) => key.split(':')[0] === kind).length;
  }

  private max(kind: string): number {
    return (this.policy.maxPerKind as Record<string, number | undefined>)[kind] ?? Infinity;
  }

  private rank(kind: string): number {
    const index = (this.policy.priority as readonly string[]).indexOf(kind);
    return index < 0 ? this.policy.priority.length : index;
  }

  private byPriority(identities: ChannelIdentity[]): ChannelIdentity[] {
    return [...identities].sort(
      (a, b) =>
        this.rank(a.kind) - this.rank(b.kind) ||
        (identityKey(a) < identityKey(b) ? -1 : identityKey(a) > identityKey(b) ? 1 : 0),
    );
  }

  /** Best kind held in the group, then the oldest member, then the id. */
  private bySurvivorRule(customerIds: string[]): string[] {
    const standing = (c: string): [number, number] => [
      Math.min(
        this.policy.priority.length,
        ...this.identityKeysOf(c).map((k) => this.rank(k.split(':')[0])),
      ),
      Math.min(...this.groupOf(c).map((x) => this.created.indexOf(x))),
    ];
    return [...customerIds].sort((a, b) => {
      const [ra, aa] = standing(a);
      const [rb, ab] = standing(b);
      return ra - rb || aa - ab || (a < b ? -1 : a > b ? 1 : 0);
    });
  }

  private isBlocked(identity: ChannelIdentity): boolean {
    return this.isBlockedKey(identityKey(identity));
  }

  /** `*` matches any run of characters: checked piece by piece, no regular expressions. */
  private isBlockedKey(key: string): boolean {
    if (this.flagged.has(key)) return true;
    return this.policy.blocked.some((pattern) => {
      const pieces = pattern.split('*');
      if (pieces.length === 1) return key === pattern;
      if (!key.startsWith(pieces[0])) return false;
      let at = pieces[0].length;
      for (const piece of pieces.slice(1, -1)) {
        const found = key.indexOf(piece, at);
        if (found < 0) return false;
        at = found + piece.length;
      }
      const last = pieces[pieces.length - 1];
      return key.length - last.length >= at && key.endsWith(last);
    });
  }
}

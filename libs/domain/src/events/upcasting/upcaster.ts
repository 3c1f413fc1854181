import { formatEventType, parseEventType } from '../event-type';

/** The part of a logged event an upcaster may change: its type (version) and its data. */
export interface UpcastableEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: unknown;
}

/**
 * A pure function from one schema version of an event to the next: `name.vN` → `name.vN+1`.
 * It gets the event's data (and, read only, its metadata) and returns the data of the next
 * version. It must not mutate its input: the same log event may be read many times.
 */
export interface Upcaster {
  /** The event name without its version, e.g. `survey.responded`. */
  readonly name: string;
  /** The version it reads; it writes `fromVersion + 1`. */
  readonly fromVersion: number;
  upcast(data: unknown, metadata: unknown): unknown;
}

/** Upcasters by `name.vN`, checked once: one per step, no gaps in a chain. */
export class UpcasterChain {
  private readonly steps = new Map<string, Upcaster>();
  /** The newest version of each event name that has upcasters. */
  private readonly newest = new Map<string, number>();

  constructor(upcasters: readonly Upcaster[]) {
    for (const upcaster of upcasters) {
      const key = formatEventType(upcaster.name, upcaster.fromVersion);
      if (this.steps.has(key)) throw new Error(`two upcasters from ${key}`);
      this.steps.set(key, upcaster);
      this.newest.set(
        upcaster.name,
        Math.max(this.newest.get(upcaster.name) ?? 0, upcaster.fromVersion + 1),
      );
    }
    for (const [name, newest] of this.newest) {
      for (let v = 1; v < newest; v++) {
        if (!this.steps.has(formatEventType(name, v)))
          throw new Error(`no upcaster from ${formatEventType(name, v)} to v${v + 1}`);
      }
    }
  }

  /** The newest version of an event name this chain knows, or undefined when it has no upcasters. */
  newestVersion(name: string): number | undefined {
    return this.newest.get(name);
  }

  /**
   * The event in the newest shape: each upcaster from its version on, in turn. The same
   * object when nothing applies (events of the newest version cost one map look-up).
   */
  upcast<E extends UpcastableEvent>(event: E): E {
    let step = this.steps.get(event.type);
    if (!step) return event;
    const parsed = parseEventType(event.type);
    if (!parsed) return event;
    let data = event.data;
    let version = parsed.version;
    while (step) {
      data = step.upcast(data, event.metadata);
      version += 1;
      step = this.steps.get(formatEventType(parsed.name, version));
    }
    return { ...event, type: formatEventType(parsed.name, version), data };
  }
}

/**
 * What must hold for this process to do its job (readiness): each check resolves with
 * details when it holds and throws (saying why) when it does not. The observability module
 * adds the log, the read models and the projections; a service adds its own (the ingestor:
 * its Kafka consumer).
 */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<Record<string, unknown>> | Record<string, unknown>;
}

export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();

  add(check: ReadinessCheck): void {
    this.checks.set(check.name, check);
  }

  list(): readonly ReadinessCheck[] {
    return [...this.checks.values()];
  }
}

/** `work` within `ms`, or an error saying it took too long (a hung store must not hang a probe). */
export async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

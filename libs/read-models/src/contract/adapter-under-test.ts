/**
 * An adapter under a port's contract suite. Adapters that need a service (Redis) are run
 * inside `describeWithServices`, which skips them with a message where the service is
 * missing (and fails the run under CI=true) — so `open` always gives a model.
 */
export interface AdapterUnderTest<M> {
  readonly name: string;
  /** A new, empty model. */
  open(): Promise<M>;
  close?(model: M): Promise<void>;
}

/** Opens a fresh model before each test of the suite (handed to `use`) and closes it after. */
export function openModelPerTest<M>(adapter: AdapterUnderTest<M>, use: (model: M) => void): void {
  let current: M | undefined;
  beforeEach(async () => {
    current = await adapter.open();
    use(current);
  });
  afterEach(async () => {
    if (current !== undefined) await adapter.close?.(current);
    current = undefined;
  });
}

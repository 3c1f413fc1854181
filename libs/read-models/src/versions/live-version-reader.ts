/**
 * A stand-in for a read-model port whose every method call is made by `run` on the model
 * it picks (the live version, the current memory slot) — so one query is answered by one
 * whole model, and each query picks again. Plain properties (a model's `config`) come from
 * `shape`. Only for ports whose methods are all async: every call returns a promise.
 */
export function liveVersionReader<Port extends object>(
  shape: Port,
  run: <T>(call: (model: Port) => Promise<T>) => Promise<T>,
): Port {
  return new Proxy(shape, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        run((model) => {
          const method = Reflect.get(model, property) as (...a: unknown[]) => Promise<unknown>;
          return method.apply(model, args);
        });
    },
  });
}

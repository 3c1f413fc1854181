/** A value made on the first call and kept. */
export interface Lazy<T> {
  (): T;
  /** The value if it has been made, without making it. */
  peek(): T | undefined;
}

export function lazy<T>(make: () => T): Lazy<T> {
  let made: { value: T } | undefined;
  const get = () => (made ??= { value: make() }).value;
  return Object.assign(get, { peek: () => made?.value });
}

/**
 * Where a customer id leads today: itself, or the customer it was merged into (followed
 * to the end). The identity graph supplies it; votes are stored as cast and resolved when
 * counted, so an unmerge splits the count back.
 */
export type CustomerRedirects = (customerId: string) => string;

export const NO_CUSTOMER_REDIRECTS: CustomerRedirects = (customerId) => customerId;

/** Redirects from a map of merged id → the id it was merged into (chains are followed). */
export function customerRedirectsFrom(mergedInto: ReadonlyMap<string, string>): CustomerRedirects {
  return (customerId) => {
    let id = customerId;
    for (let hops = 0; hops <= mergedInto.size; hops += 1) {
      const next = mergedInto.get(id);
      if (next === undefined || next === id) return id;
      id = next;
    }
    throw new Error(`customer redirects loop at ${customerId}`);
  };
}

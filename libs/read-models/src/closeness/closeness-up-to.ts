import {
  type ClosenessConfig,
  type ClosenessFact,
  foldClosenessFacts,
  inLogOrder,
} from '@rapport/domain';
import { type CustomerCloseness } from './closeness-read-model';

/** A customer's closeness from the facts recorded at or before `position`; null if none. */
export function closenessUpTo(
  customerId: string,
  facts: readonly ClosenessFact[],
  position: number,
  config: ClosenessConfig,
): CustomerCloseness | null {
  const kept = inLogOrder(facts.filter((fact) => fact.position <= position));
  if (kept.length === 0) return null;
  return { customerId, state: foldClosenessFacts(customerId, kept, config), facts: kept };
}

import { CheckpointMismatchError, type CheckpointRange } from '../../projection/checkpoint';
import {
  type AnnotationChange,
  type CustomerAnnotationsReadModel,
  type CustomerNote,
} from '../../annotations/customer-annotations-read-model';

/** Notes and labels in this process's memory, rebuilt from the log at every start. */
export class MemoryCustomerAnnotations implements CustomerAnnotationsReadModel {
  private position = 0;
  /** customer id → notes, oldest first (appended in log order). */
  private readonly notesOf = new Map<string, CustomerNote[]>();
  private readonly labelsOf = new Map<string, Set<string>>();
  private readonly customersOf = new Map<string, Set<string>>();

  async checkpoint(): Promise<number> {
    return this.position;
  }

  async apply(changes: readonly AnnotationChange[], range: CheckpointRange): Promise<void> {
    if (range.after !== this.position)
      throw new CheckpointMismatchError('annotations', range.after, this.position);
    for (const change of changes) {
      switch (change.kind) {
        case 'note': {
          const list = this.notesOf.get(change.note.customerId) ?? [];
          list.push(change.note);
          this.notesOf.set(change.note.customerId, list);
          break;
        }
        case 'label':
          add(this.labelsOf, change.customerId, change.label);
          add(this.customersOf, change.label, change.customerId);
          break;
        case 'unlabel':
          remove(this.labelsOf, change.customerId, change.label);
          remove(this.customersOf, change.label, change.customerId);
          break;
        case 'erase':
          this.notesOf.delete(change.customerId);
          for (const label of this.labelsOf.get(change.customerId) ?? [])
            remove(this.customersOf, label, change.customerId);
          this.labelsOf.delete(change.customerId);
          break;
      }
    }
    this.position = range.upTo;
  }

  async notes(
    customerIds: readonly string[],
    { limit, before }: { limit: number; before?: number },
  ): Promise<CustomerNote[]> {
    return [...new Set(customerIds)]
      .flatMap((id) => this.notesOf.get(id) ?? [])
      .filter((note) => before === undefined || note.position < before)
      .sort((a, b) => b.position - a.position)
      .slice(0, limit);
  }

  async labels(customerIds: readonly string[]): Promise<string[]> {
    const all = new Set<string>();
    for (const id of customerIds) for (const label of this.labelsOf.get(id) ?? []) all.add(label);
    return [...all].sort();
  }

  async customersLabelled(label: string, limit: number): Promise<string[]> {
    return [...(this.customersOf.get(label) ?? [])].sort().slice(0, limit);
  }

  async clear(): Promise<void> {
    this.position = 0;
    this.notesOf.clear();
    this.labelsOf.clear();
    this.customersOf.clear();
  }
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function remove(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  set?.delete(value);
  if (set?.size === 0) map.delete(key);
}

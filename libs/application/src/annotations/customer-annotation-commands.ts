import { randomUUID } from 'node:crypto';
import {
  annotationStreamId,
  CUSTOMER_LABELLED_V1,
  CUSTOMER_NOTE_ADDED_V1,
  CUSTOMER_UNLABELLED_V1,
  type CustomerLabelChangedV1,
  type CustomerNoteAddedV1,
  decideLabel,
  decideUnlabel,
  type FieldError,
  normalizeLabel,
  validateNoteText,
} from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';

/** The member of staff writing, as their token says. */
export interface AnnotatingStaff {
  readonly staffId: string;
  readonly name?: string;
}

/** What the commands read: who a customer is now, and the labels they carry. */
export interface AnnotationLookups {
  /** The survivor an id answers for and every id merged into it; null when unknown (or erased). */
  customer(customerId: string): Promise<{ customerId: string; customerIds: string[] } | null>;
  /** The labels any of these customers carry (the read model: moments behind the log). */
  labels(customerIds: readonly string[]): Promise<string[]>;
}

export type AnnotationOutcome<T> =
  | ({ readonly ok: true } & T)
  | {
      readonly ok: false;
      readonly status: 400 | 404 | 422;
      readonly detail: string;
      readonly errors?: readonly FieldError[];
    };

/**
 * Staff notes and labels on customers: validated by the domain's rules, the customer resolved
 * to the survivor of its merges, appended to the customer's annotation stream. A label already
 * there (or one already gone) changes nothing and appends nothing.
 */
export class CustomerAnnotationCommands {
  constructor(
    private readonly store: EventStore,
    private readonly lookups: AnnotationLookups,
  ) {}

  async addNote(
    customerId: string,
    text: unknown,
    staff: AnnotatingStaff,
    at: Date,
  ): Promise<AnnotationOutcome<{ noteId: string; customerId: string; position: number }>> {
    const valid = validateNoteText(text);
    if (!valid.ok)
      return { ok: false, status: 400, detail: 'invalid request body', errors: valid.errors };
    const customer = await this.lookups.customer(customerId);
    if (!customer) return unknown(customerId);
    const data: CustomerNoteAddedV1 = {
      noteId: randomUUID(),
      customerId: customer.customerId,
      text: valid.value,
      staffId: staff.staffId,
      ...(staff.name ? { staffName: staff.name } : {}),
      at: at.toISOString(),
    };
    const appended = await this.store.append(annotationStreamId(customer.customerId), [
      { id: randomUUID(), type: CUSTOMER_NOTE_ADDED_V1, data, metadata: {} },
    ]);
    return {
      ok: true,
      noteId: data.noteId,
      customerId: customer.customerId,
      position: appended.position,
    };
  }

  label(customerId: string, label: unknown, staff: AnnotatingStaff, at: Date) {
    return this.changeLabel('label', customerId, label, staff, at);
  }

  unlabel(customerId: string, label: unknown, staff: AnnotatingStaff, at: Date) {
    return this.changeLabel('unlabel', customerId, label, staff, at);
  }

  private async changeLabel(
    op: 'label' | 'unlabel',
    customerId: string,
    raw: unknown,
    staff: AnnotatingStaff,
    at: Date,
  ): Promise<
    AnnotationOutcome<{
      customerId: string;
      label: string;
      changed: boolean;
      labels: string[];
      position?: number;
    }>
  > {
    const valid = normalizeLabel(raw);
    if (!valid.ok) return { ok: false, status: 400, detail: 'invalid label', errors: valid.errors };
    const label = valid.value;
    const customer = await this.lookups.customer(customerId);
    if (!customer) return unknown(customerId);
    const current = await this.lookups.labels(customer.customerIds);
    const decision = op === 'label' ? decideLabel(current, label) : decideUnlabel(current, label);
    if (decision.outcome === 'refused')
      return {
        ok: false,
        status: 422,
        detail: `a customer carries at most ${decision.limit} labels`,
        errors: [{ path: 'label', message: `at most ${decision.limit} labels a customer` }],
      };
    if (decision.outcome === 'unchanged')
      return { ok: true, customerId: customer.customerId, label, changed: false, labels: current };
    const data: CustomerLabelChangedV1 = {
      customerId: customer.customerId,
      label,
      staffId: staff.staffId,
      at: at.toISOString(),
    };
    // Every id of the merge group the label is on: a label put on a customer before a merge
    // comes off the survivor too.
    const on =
      op === 'label' ? [customer.customerId] : await this.holdersOf(customer.customerIds, label);
    const events = on.map((id) => ({
      id: randomUUID(),
      type: op === 'label' ? CUSTOMER_LABELLED_V1 : CUSTOMER_UNLABELLED_V1,
      data: { ...data, customerId: id },
      metadata: {},
    }));
    const appended = await this.store.append(annotationStreamId(customer.customerId), events);
    const labels = op === 'label' ? [...current, label].sort() : current.filter((l) => l !== label);
    return {
      ok: true,
      customerId: customer.customerId,
      label,
      changed: true,
      labels,
      position: appended.position,
    };
  }

  private async holdersOf(customerIds: readonly string[], label: string): Promise<string[]> {
    const holders: string[] = [];
    for (const id of customerIds)
      if ((await this.lookups.labels([id])).includes(label)) holders.push(id);
    return holders;
  }
}

function unknown(customerId: string): AnnotationOutcome<never> {
  return { ok: false, status: 404, detail: `no customer ${customerId}` };
}

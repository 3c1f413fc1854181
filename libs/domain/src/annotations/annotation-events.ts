/**
 * What staff write about a customer beside the touchpoints: internal notes (never sent to
 * the customer) and labels. Each is an event in the log, in the customer's annotation stream.
 */
export const AnnotationEventNames = {
  noteAdded: 'customer.note-added',
  labelled: 'customer.labelled',
  unlabelled: 'customer.unlabelled',
} as const;

export const CUSTOMER_NOTE_ADDED_V1 = `${AnnotationEventNames.noteAdded}.v1` as const;
export const CUSTOMER_LABELLED_V1 = `${AnnotationEventNames.labelled}.v1` as const;
export const CUSTOMER_UNLABELLED_V1 = `${AnnotationEventNames.unlabelled}.v1` as const;

/** The stream a customer's notes and labels are appended to. */
export function annotationStreamId(customerId: string): string {
  return `customer-annotations-${customerId}`;
}

/**
 * `customer.note-added.v1`: a member of staff wrote an internal note on a customer. `text` is
 * personal data of `customerId` (it is about that person): sealed in the log with their key,
 * erased with them (`personal-fields.ts`).
 */
export interface CustomerNoteAddedV1 {
  readonly noteId: string;
  /** The customer the note is on (the survivor of its merges when it was written). */
  readonly customerId: string;
  readonly text: string;
  /** The token subject of the author, and the name staff know them by. */
  readonly staffId: string;
  readonly staffName?: string;
  readonly at: string;
}

/** `customer.labelled.v1` / `customer.unlabelled.v1`: a label put on or taken off a customer. */
export interface CustomerLabelChangedV1 {
  readonly customerId: string;
  /** Normalised (`normalizeLabel`). */
  readonly label: string;
  readonly staffId: string;
  readonly at: string;
}

export type AnnotationEvent =
  | { readonly type: typeof CUSTOMER_NOTE_ADDED_V1; readonly data: CustomerNoteAddedV1 }
  | { readonly type: typeof CUSTOMER_LABELLED_V1; readonly data: CustomerLabelChangedV1 }
  | { readonly type: typeof CUSTOMER_UNLABELLED_V1; readonly data: CustomerLabelChangedV1 };

const ANNOTATION_TYPES: ReadonlySet<string> = new Set([
  CUSTOMER_NOTE_ADDED_V1,
  CUSTOMER_LABELLED_V1,
  CUSTOMER_UNLABELLED_V1,
]);

/** The annotation a logged event records, or null for any other event. */
export function annotationEventFrom(event: {
  readonly type: string;
  readonly data: unknown;
}): AnnotationEvent | null {
  if (!ANNOTATION_TYPES.has(event.type)) return null;
  const data = event.data as { customerId?: unknown } | null;
  if (typeof data?.customerId !== 'string') return null;
  return event as AnnotationEvent;
}

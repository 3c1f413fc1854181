/** One reason an input was refused, pointing at the field (dotted path) it is about. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export type Validated<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: FieldError[] };

export function valid<T>(value: T): Validated<T> {
  return { ok: true, value };
}

export function invalid<T = never>(...errors: FieldError[]): Validated<T> {
  return { ok: false, errors };
}

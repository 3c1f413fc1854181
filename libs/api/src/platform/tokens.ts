/** Injection tokens of the ports; adapters are chosen by URL in `PlatformModule`. */
export const RAPPORT_CONFIG = Symbol('RAPPORT_CONFIG');
export const EVENT_STORE = Symbol('EVENT_STORE');
/** `PersonalData | null`: the data keys and blind index; null when protection is off. */
export const PERSONAL_DATA = Symbol('PERSONAL_DATA');
/**
 * `LogSuppressionList | null`: the identities of erased people whose touchpoints ingestion
 * drops (and whose dead letters keep no value); null when protection is off.
 */
export const SUPPRESSION_LIST = Symbol('SUPPRESSION_LIST');
export const READ_MODELS = Symbol('READ_MODELS');
export const TIMELINE_READ_MODEL = Symbol('TIMELINE_READ_MODEL');
export const TIMELINE_PROJECTOR = Symbol('TIMELINE_PROJECTOR');
export const CLOSENESS_READ_MODEL = Symbol('CLOSENESS_READ_MODEL');
export const CLOSENESS_PROJECTOR = Symbol('CLOSENESS_PROJECTOR');

/**
 * Optional: checks a service adds to `/health` (`HealthCheck[]`); one that fails makes
 * `/health` answer 503 with its reason.
 */
export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

export interface HealthCheck {
  readonly name: string;
  status(): { readonly status: 'ok' | 'failing'; readonly [detail: string]: unknown };
}

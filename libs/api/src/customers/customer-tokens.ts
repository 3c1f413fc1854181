export const IDENTITY_COMMANDS = Symbol('IDENTITY_COMMANDS');
/** `CustomerErasure | null`: null when personal data protection is off. */
export const CUSTOMER_ERASURE = Symbol('CUSTOMER_ERASURE');

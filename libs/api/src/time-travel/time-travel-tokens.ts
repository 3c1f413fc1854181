/** The process's `TimeTravel` (`@rapport/read-models`), or null where no event log is configured. */
export const TIME_TRAVEL = Symbol('TIME_TRAVEL');

import {
  applyClosenessFactInPlace,
  type ClosenessConfig,
  type ClosenessFact,
  type ClosenessState,
  CONVERSATIONS_UNCHANGED,
  type OwnedClosenessState,
} from '@rapport/domain';

/**
 * A state as the writer keeps it between batches: its own copy, changed in place by each
 * fact, and the JSON of each conversation it remembers (in the same order), so that the
 * state's JSON is written without stringifying its conversations again (docs/decisions/0051).
 */
export interface WrittenState {
  readonly state: OwnedClosenessState;
  /** `JSON.stringify(state.conversations[i])` for each i. */
  readonly conversations: string[];
}

/** A state the writer owns from now on, with the JSON of its conversations. */
export function writtenState(state: OwnedClosenessState): WrittenState {
  return { state, conversations: state.conversations.map((entry) => JSON.stringify(entry)) };
}

/** One more fact applied to a written state in place, its conversations' JSON kept in step. */
export function applyToWritten(
  written: WrittenState,
  fact: ClosenessFact,
  config: ClosenessConfig,
): void {
  const changed = applyClosenessFactInPlace(written.state, fact, config);
  if (changed === CONVERSATIONS_UNCHANGED) return;
  const json = written.conversations;
  const conversations = written.state.conversations;
  if (changed >= 0) json.splice(changed, 1);
  json.push(JSON.stringify(conversations[conversations.length - 1]));
  if (json.length > conversations.length) json.shift();
}

/**
 * `JSON.stringify(state)` for a state the domain built (its fields in the order
 * `ClosenessState` declares them, `emptyClosenessState`'s), from the JSON of its
 * conversations: the same bytes, in about half the time for a state remembering 25
 * conversations. A field that is not a finite number is written as JSON writes it (`null`).
 */
export function stateJson(
  state: ClosenessState | OwnedClosenessState,
  conversations: readonly string[],
): string {
  return (
    '{"customerId":' +
    JSON.stringify(state.customerId) +
    ',"landmarkMs":' +
    numberJson(state.landmarkMs) +
    ',"intensity":' +
    numberJson(state.intensity) +
    ',"emotion":' +
    numberJson(state.emotion) +
    ',"coCreation":' +
    numberJson(state.coCreation) +
    ',"channels":' +
    JSON.stringify(state.channels) +
    ',"conversations":[' +
    conversations.join(',') +
    '],"lastContactMs":' +
    (state.lastContactMs === null ? 'null' : numberJson(state.lastContactMs)) +
    ',"facts":' +
    numberJson(state.facts) +
    '}'
  );
}

/** A number as `JSON.stringify` writes it. */
function numberJson(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null';
}

import { CHANNELS, type Channel } from '../channels';
import { type ClosenessConfig, halfLifeMs } from './closeness-config';
import { type ClosenessFact } from './closeness-fact';
import { forwardWeight } from './forward-decay';

/**
 * One customer's closeness, folded from their facts in log order. The sums are forward
 * sums (Σ wᵢ·2^((tᵢ−T₀)/h), relative to `landmarkMs`), so the state never needs updating
 * as time passes; `closenessAt` decays them to any moment. JSON-safe: adapters store it as is.
 */
export interface ClosenessState {
  readonly customerId: string;
  readonly landmarkMs: number;
  readonly intensity: number;
  readonly emotion: number;
  readonly coCreation: number;
  /** Per channel the customer took part on (inbound, or two-way): its latest time. */
  readonly channels: Readonly<Partial<Record<Channel, number>>>;
  /**
   * The conversations remembered, least recent first: `[conversation id, directions seen]`
   * (bits: 1 inbound, 2 outbound), at most `REMEMBERED_CONVERSATIONS`. (States stored before
   * the bound hold an object `{ [id]: directions }`; they are read as such.)
   */
  readonly conversations: ConversationMemory;
  /** The latest time of any fact; null before the first. */
  readonly lastContactMs: number | null;
  readonly facts: number;
}

/** `[conversation id, directions seen]`, least recent first. */
export type ConversationMemory = readonly (readonly [string, number])[];

/** What one fact added, undecayed: multiply by 2^((t−T)/h) for its value at T. */
export interface FactWeights {
  readonly intensity: number;
  readonly emotion: number;
  readonly coCreation: number;
  /** True when the touchpoint counted as part of a two-way conversation. */
  readonly twoWay: boolean;
}

export function emptyClosenessState(customerId: string, config: ClosenessConfig): ClosenessState {
  return {
    customerId,
    landmarkMs: Date.parse(config.landmark),
    intensity: 0,
    emotion: 0,
    coCreation: 0,
    channels: {},
    conversations: [],
    lastContactMs: null,
    facts: 0,
  };
}

const INBOUND = 1;
const OUTBOUND = 2;

/**
 * How many conversations a state remembers: those in which a direction was most recently seen
 * for the first time. A touchpoint is two-way when its conversation, among these, has seen
 * the other direction; a conversation forgotten and taken up again starts over. The bound
 * keeps the state, and its copy at each new conversation, small for a customer with
 * thousands of conversations (docs/closeness.md).
 */
export const REMEMBERED_CONVERSATIONS = 256;

/** The conversations of a state, also of one stored before the bound (an object by id). */
function conversationsOf(state: ClosenessState): ConversationMemory {
  const stored = state.conversations as unknown;
  if (Array.isArray(stored)) return stored as ConversationMemory;
  return Object.entries((stored ?? {}) as Record<string, number>);
}

/** Directions seen in the conversation `id`: 0 for one not remembered. */
function directionsIn(conversations: ConversationMemory, id: string): number {
  for (let i = conversations.length - 1; i >= 0; i--)
    if (conversations[i][0] === id) return conversations[i][1];
  return 0;
}

/** The memory with `id` most recent, its directions set; the least recent dropped past the bound. */
function remembering(
  conversations: ConversationMemory,
  id: string,
  directions: number,
): ConversationMemory {
  const next = conversations.filter(([other]) => other !== id);
  next.push([id, directions]);
  return next.length > REMEMBERED_CONVERSATIONS ? next.slice(1) : next;
}

/** The weights a fact earns, given the state before it (two-way needs the conversation so far). */
export function factWeights(
  state: ClosenessState,
  fact: ClosenessFact,
  config: ClosenessConfig,
): FactWeights {
  switch (fact.kind) {
    case 'touchpoint': {
      const twoWay = isTwoWay(state, fact, config);
      const intensity =
        config.channelWeights[fact.channel] *
        config.directionWeights[fact.direction] *
        (twoWay ? config.twoWayMultiplier : 1);
      const emotion = config.sentimentWeight * Math.max(0, fact.sentiment ?? 0);
      return { intensity, emotion, coCreation: 0, twoWay };
    }
    case 'survey':
      return {
        intensity: config.channelWeights[fact.channel] * config.directionWeights.inbound,
        emotion: config.surveyWeight * Math.max(0, surveySignal(fact.survey)),
        coCreation: 0,
        twoWay: false,
      };
    case 'co-creation':
      return {
        intensity: 0,
        emotion: 0,
        coCreation: config.coCreationWeights[fact.coCreation],
        twoWay: false,
      };
  }
}

/** A survey answer on −1…1: NPS (score − 5)/5, CSAT (score − 3)/2. */
export function surveySignal(answer: { kind: 'nps' | 'csat'; score: number }): number {
  const signal = answer.kind === 'nps' ? (answer.score - 5) / 5 : (answer.score - 3) / 2;
  return Math.min(1, Math.max(-1, signal));
}

function isTwoWay(
  state: ClosenessState,
  fact: Extract<ClosenessFact, { kind: 'touchpoint' }>,
  config: ClosenessConfig,
): boolean {
  if (config.twoWayChannels.includes(fact.channel)) return true;
  if (fact.conversationId === undefined) return false;
  const seen = directionsIn(conversationsOf(state), fact.conversationId);
  return (seen & (fact.direction === 'inbound' ? OUTBOUND : INBOUND)) !== 0;
}

/** The state after one more fact (in log order), and what the fact added. */
export function applyClosenessFact(
  state: ClosenessState,
  fact: ClosenessFact,
  config: ClosenessConfig,
): { state: ClosenessState; weights: FactWeights } {
  const weights = factWeights(state, fact, config);
  const at = forwardWeight(fact.occurredAtMs, state.landmarkMs, halfLifeMs(config));
  let channels = state.channels;
  let conversations = conversationsOf(state);
  if (fact.kind === 'touchpoint' || fact.kind === 'survey') {
    const takesPart = fact.kind === 'survey' || fact.direction === 'inbound' || weights.twoWay;
    const last = state.channels[fact.channel];
    if (takesPart && (last === undefined || fact.occurredAtMs > last))
      channels = { ...channels, [fact.channel]: fact.occurredAtMs };
    if (fact.kind === 'touchpoint' && fact.conversationId !== undefined) {
      const bit = fact.direction === 'inbound' ? INBOUND : OUTBOUND;
      const seen = directionsIn(conversations, fact.conversationId);
      if ((seen & bit) === 0)
        conversations = remembering(conversations, fact.conversationId, seen | bit);
    }
  }
  return {
    weights,
    state: {
      ...state,
      intensity: state.intensity + weights.intensity * at,
      emotion: state.emotion + weights.emotion * at,
      coCreation: state.coCreation + weights.coCreation * at,
      channels,
      conversations,
      lastContactMs:
        state.lastContactMs === null
          ? fact.occurredAtMs
          : Math.max(state.lastContactMs, fact.occurredAtMs),
      facts: state.facts + 1,
    },
  };
}

/**
 * A state its one owner changes in place (`applyClosenessFactInPlace`): a writer's own copy,
 * never shared and never handed out, so nobody sees it change. Its fields are those of
 * `ClosenessState`, in the same order; its conversations are always the list.
 */
export interface OwnedClosenessState {
  customerId: string;
  landmarkMs: number;
  intensity: number;
  emotion: number;
  coCreation: number;
  channels: Partial<Record<Channel, number>>;
  /** Entries are never changed in place, only dropped and appended. */
  conversations: (readonly [string, number])[];
  lastContactMs: number | null;
  facts: number;
}

/** A copy of a state its owner may change in place (a stored object of conversations: the list). */
export function ownedClosenessState(state: ClosenessState): OwnedClosenessState {
  return {
    customerId: state.customerId,
    landmarkMs: state.landmarkMs,
    intensity: state.intensity,
    emotion: state.emotion,
    coCreation: state.coCreation,
    channels: { ...state.channels },
    conversations: conversationsOf(state).slice(),
    lastContactMs: state.lastContactMs,
    facts: state.facts,
  };
}

/** `applyClosenessFactInPlace` left the conversations as they were. */
export const CONVERSATIONS_UNCHANGED = -2;

/**
 * One more fact (in log order) applied to a state its caller owns, in place: the state
 * `applyClosenessFact` gives, by the same arithmetic in the same order, without copying the
 * state, its channels or its conversations (a rebuild folds a million facts; each copy
 * outlived a scavenge in the writer that keeps its states). Returns
 * `CONVERSATIONS_UNCHANGED`, or, when the fact's conversation is remembered anew, the index
 * of the entry it replaced (−1: none): the new entry is then last, and the first entry was
 * dropped if that made the memory longer than `REMEMBERED_CONVERSATIONS` — so a caller can
 * keep a list beside the conversations in step (a writer keeps each one's JSON).
 */
export function applyClosenessFactInPlace(
  state: OwnedClosenessState,
  fact: ClosenessFact,
  config: ClosenessConfig,
): number {
  const weights = factWeights(state, fact, config);
  const at = forwardWeight(fact.occurredAtMs, state.landmarkMs, halfLifeMs(config));
  let changed = CONVERSATIONS_UNCHANGED;
  if (fact.kind === 'touchpoint' || fact.kind === 'survey') {
    const takesPart = fact.kind === 'survey' || fact.direction === 'inbound' || weights.twoWay;
    const last = state.channels[fact.channel];
    if (takesPart && (last === undefined || fact.occurredAtMs > last))
      state.channels[fact.channel] = fact.occurredAtMs;
    if (fact.kind === 'touchpoint' && fact.conversationId !== undefined) {
      const bit = fact.direction === 'inbound' ? INBOUND : OUTBOUND;
      const conversations = state.conversations;
      let index = conversations.length - 1;
      while (index >= 0 && conversations[index][0] !== fact.conversationId) index--;
      const seen = index >= 0 ? conversations[index][1] : 0;
      if ((seen & bit) === 0) {
        if (index >= 0) conversations.splice(index, 1);
        conversations.push([fact.conversationId, seen | bit]);
        if (conversations.length > REMEMBERED_CONVERSATIONS) conversations.shift();
        changed = index;
      }
    }
  }
  state.intensity = state.intensity + weights.intensity * at;
  state.emotion = state.emotion + weights.emotion * at;
  state.coCreation = state.coCreation + weights.coCreation * at;
  state.lastContactMs =
    state.lastContactMs === null
      ? fact.occurredAtMs
      : Math.max(state.lastContactMs, fact.occurredAtMs);
  state.facts = state.facts + 1;
  return changed;
}

/** The breadth forward sum: per channel taken part on, the breadth weight at its latest use. */
export function breadthSum(state: ClosenessState, config: ClosenessConfig): number {
  let sum = 0;
  for (const channel of CHANNELS) {
    const last = state.channels[channel];
    if (last !== undefined)
      sum += config.breadthWeight * forwardWeight(last, state.landmarkMs, halfLifeMs(config));
  }
  return sum;
}

/**
 * The ranking key: the whole forward sum, intensity + emotion + breadth + co-creation.
 * Customers sorted by it are sorted by score at every moment.
 */
export function closenessRankKey(state: ClosenessState, config: ClosenessConfig): number {
  return state.intensity + state.emotion + breadthSum(state, config) + state.coCreation;
}

/** Folds facts (in log order) into a fresh state. */
export function foldClosenessFacts(
  customerId: string,
  facts: Iterable<ClosenessFact>,
  config: ClosenessConfig,
): ClosenessState {
  let state = emptyClosenessState(customerId, config);
  for (const fact of facts) state = applyClosenessFact(state, fact, config).state;
  return state;
}

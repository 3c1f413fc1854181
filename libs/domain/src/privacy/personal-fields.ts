import { EventNames, parseEventType } from '../events/event-type';
import { AnnotationEventNames } from '../annotations/annotation-events';
import { IdeaEventNames } from '../ideas/idea-events';

/** The parts of a logged event that can hold personal data. */
export interface EventContentOf {
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: unknown;
}

/**
 * Called for each personal text of an event: whose it is (the data subject, a customer id),
 * which field (a path without indices, e.g. `identities[].plainValue`), and the stored value.
 * Returns what the field becomes.
 */
export type PersonalFieldVisitor = (subjectId: string, field: string, value: string) => unknown;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `object` with the values of `keys` (those it has) mapped in that order: one copy, made at
 * the first change, or `object` itself when nothing changed. Every event passes here when it
 * is sealed and again when it is opened: one copy per object, not one per field.
 */
function mapKeys(
  object: Json,
  keys: readonly string[],
  map: (key: string, value: unknown) => unknown,
): Json {
  let copy: Json | null = null;
  for (const key of keys) {
    if (!(key in object)) continue;
    const before = object[key];
    const after = map(key, before);
    if (after !== before) (copy ??= { ...object })[key] = after;
  }
  return copy ?? object;
}

/** A copy of `object` with `key` mapped, or `object` itself when nothing changed. */
function mapKey(object: Json, key: string, map: (value: unknown) => unknown): Json {
  return mapKeys(object, [key], (_key, value) => map(value));
}

function mapEach(list: unknown, map: (item: unknown) => unknown): unknown {
  if (!Array.isArray(list)) return list;
  let copy: unknown[] | null = null;
  list.forEach((item, i) => {
    const after = map(item);
    if (after !== item) (copy ??= [...list])[i] = after;
  });
  return copy ?? list;
}

/** What a personal text becomes: `visit`'s answer for a string, anything else as it is. */
function visitText(
  subject: string,
  field: string,
  visit: PersonalFieldVisitor,
  value: unknown,
): unknown {
  return typeof value === 'string' ? visit(subject, field, value) : value;
}

function text(subject: string, field: string, visit: PersonalFieldVisitor) {
  return (value: unknown) => visitText(subject, field, visit, value);
}

/** An identity with its `plainValue` visited: the same object when nothing changed. */
function plainValueOf(
  identity: unknown,
  subject: string,
  field: string,
  visit: PersonalFieldVisitor,
): unknown {
  if (!isObject(identity)) return identity;
  const before = identity.plainValue;
  if (typeof before !== 'string') return identity;
  const after = visit(subject, field, before);
  return after === before ? identity : { ...identity, plainValue: after };
}

/** The identities' plain values, then (touchpoints) the content, the metadata, the name. */
const TOUCHPOINT_KEYS = ['identity', 'identities', 'content', 'metadata', 'name'];
/** The identities' plain values, then the comment. */
const SURVEY_KEYS = ['identity', 'identities', 'comment'];

/*
 * The walks below are written out, without a closure per object or field: every touchpoint
 * passes here twice (sealed on ingest, opened on every read), and on that path the closures
 * and their argument lists were a third of what the walk allocated (ADR 0058).
 */

/** A touchpoint's or survey response's personal fields, in the order they are sealed. */
function channelEventFields(
  data: Json,
  keys: readonly string[],
  subject: string,
  visit: PersonalFieldVisitor,
): Json {
  let copy: Json | null = null;
  for (const key of keys) {
    if (!(key in data)) continue;
    const before = data[key];
    const after = channelEventField(key, before, subject, visit);
    if (after !== before) (copy ??= { ...data })[key] = after;
  }
  return copy ?? data;
}

function channelEventField(
  key: string,
  value: unknown,
  subject: string,
  visit: PersonalFieldVisitor,
): unknown {
  switch (key) {
    case 'identity':
      return plainValueOf(value, subject, 'identity.plainValue', visit);
    case 'identities': {
      if (!Array.isArray(value)) return value;
      let copy: unknown[] | null = null;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        const after = plainValueOf(item, subject, 'identities[].plainValue', visit);
        if (after !== item) (copy ??= [...value])[i] = after;
      }
      return copy ?? value;
    }
    case 'content':
      return isObject(value) ? contentFields(value, subject, visit) : value;
    case 'metadata': {
      if (!isObject(value)) return value;
      let copy: Json | null = null;
      for (const name of Object.keys(value)) {
        const item = value[name];
        const after = visitText(subject, 'metadata.*', visit, item);
        if (after !== item) (copy ??= { ...value })[name] = after;
      }
      return copy ?? value;
    }
    default: // name, comment
      return visitText(subject, key, visit, value);
  }
}

function contentFields(content: Json, subject: string, visit: PersonalFieldVisitor): Json {
  let copy: Json | null = null;
  if ('subject' in content) {
    const after = visitText(subject, 'content.subject', visit, content.subject);
    if (after !== content.subject) (copy ??= { ...content }).subject = after;
  }
  if ('text' in content) {
    const after = visitText(subject, 'content.text', visit, content.text);
    if (after !== content.text) (copy ??= { ...content }).text = after;
  }
  const attachments = content.attachments;
  if (Array.isArray(attachments)) {
    let list: unknown[] | null = null;
    for (let i = 0; i < attachments.length; i++) {
      const attachment: unknown = attachments[i];
      if (!isObject(attachment) || !('name' in attachment)) continue;
      const name = attachment.name;
      const after = visitText(subject, 'content.attachments[].name', visit, name);
      if (after !== name) (list ??= [...attachments])[i] = { ...attachment, name: after };
    }
    if (list) (copy ??= { ...content }).attachments = list;
  }
  return copy ?? content;
}

/** The CloudEvents `subject` kept in the log's metadata (`metadata.ce.subject`), visited. */
function ceSubjectOf(metadata: unknown, subject: string, visit: PersonalFieldVisitor): unknown {
  if (!isObject(metadata)) return metadata;
  const ce = metadata.ce;
  if (!isObject(ce) || !('subject' in ce)) return metadata;
  const after = visitText(subject, 'ce.subject', visit, ce.subject);
  return after === ce.subject ? metadata : { ...metadata, ce: { ...ce, subject: after } };
}

function commentText(comment: unknown, visit: PersonalFieldVisitor, field: string): unknown {
  if (!isObject(comment)) return comment;
  const author = comment.author;
  if (!isObject(author) || author.kind !== 'customer' || typeof author.customerId !== 'string')
    return comment;
  return mapKey(comment, 'text', text(author.customerId, field, visit));
}

/** Event names by type, parsed once each: a log holds a few dozen types. */
const namesByType = new Map<string, string | undefined>();
const NAMES_KEPT = 1_000;

function eventNameOf(type: string): string | undefined {
  let name = namesByType.get(type);
  if (name === undefined && !namesByType.has(type)) {
    name = parseEventType(type)?.name;
    if (namesByType.size < NAMES_KEPT) namesByType.set(type, name);
  }
  return name;
}

/**
 * Applies `visit` to every personal text of a logged event and returns the event's data and
 * metadata with what it returned (the same objects where nothing changed; the input is never
 * mutated). Personal texts, per event:
 * - `touchpoint.recorded`: every identity's `plainValue`, `content.subject`, `content.text`,
 *   attachment names, the values of `metadata`, the person's `name`; the CloudEvents `subject`
 *   (in the log's metadata);
 * - `survey.responded`: every identity's `plainValue`, `comment`, the CloudEvents `subject`;
 * - `idea.submitted` by a customer (from a touchpoint): `title`, `description`;
 * - `idea.commented` and the comments an `idea.merged` carries, when a customer wrote them: `text`;
 * - `customer.note-added` (a staff note about a customer): `text`, the customer's (`data.customerId`).
 * The subject of an ingested event is its stream's customer (`metadata.customerId`); of an
 * idea or comment, the customer who wrote it. Staff texts are not a data subject's.
 */
export function mapPersonalFields(
  event: EventContentOf,
  visit: PersonalFieldVisitor,
): { data: unknown; metadata: unknown } {
  const { data, metadata } = event;
  const name = eventNameOf(event.type);
  if (!isObject(data) || name === undefined) return { data, metadata };
  switch (name) {
    case EventNames.touchpointRecorded:
    case EventNames.surveyResponded: {
      const subject = isObject(metadata) ? metadata.customerId : undefined;
      if (typeof subject !== 'string') return { data, metadata };
      const mapped = channelEventFields(
        data,
        name === EventNames.touchpointRecorded ? TOUCHPOINT_KEYS : SURVEY_KEYS,
        subject,
        visit,
      );
      return { data: mapped, metadata: ceSubjectOf(metadata, subject, visit) };
    }
    case IdeaEventNames.submitted: {
      const origin = data.origin;
      if (!isObject(origin) || origin.kind !== 'touchpoint' || typeof data.customerId !== 'string')
        return { data, metadata };
      const author = data.customerId;
      const mapped = mapKeys(data, ['title', 'description'], (key, value) =>
        visitText(author, key, visit, value),
      );
      return { data: mapped, metadata };
    }
    case IdeaEventNames.commented:
      return { data: commentText(data, visit, 'text'), metadata };
    case IdeaEventNames.merged:
      return {
        data: mapKey(data, 'comments', (list) =>
          mapEach(list, (comment) => commentText(comment, visit, 'comments[].text')),
        ),
        metadata,
      };
    case AnnotationEventNames.noteAdded:
      if (typeof data.customerId !== 'string') return { data, metadata };
      return { data: mapKey(data, 'text', text(data.customerId, 'text', visit)), metadata };
    default:
      return { data, metadata };
  }
}

/** The data subjects whose keys an event's personal fields need. */
export function personalSubjectsOf(event: EventContentOf): Set<string> {
  const subjects = new Set<string>();
  mapPersonalFields(event, (subject, _field, value) => {
    subjects.add(subject);
    return value;
  });
  return subjects;
}

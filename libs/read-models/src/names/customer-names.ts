import { type SeenName } from '@rapport/domain';

/** An identity whose latest name a search found. */
export interface NameMatch {
  /** The pseudonymous identity key the name was seen with (`email:~…`). */
  readonly identityKey: string;
  readonly name: SeenName;
}

/** The most names a search answers. */
export const MAX_NAME_MATCHES = 200;

/**
 * Names people were seen by, kept with the timeline (per identity, the latest one) and indexed
 * for prefix search, folded for case and diacritics (`nameSearchTerms`). Personal data: an
 * erasure deletes an identity's name and index entries with its timeline.
 */
export interface CustomerNames {
  /** The latest name each identity (by key) was seen with; keys without one are left out. */
  namesOf(identityKeys: readonly string[]): Promise<Map<string, SeenName>>;
  /**
   * Identities whose latest name has a search term starting with the folded `prefix`, in
   * the order of the terms (alphabetical, folded), each identity once, at most `limit`.
   */
  searchNames(prefix: string, limit: number): Promise<NameMatch[]>;
}

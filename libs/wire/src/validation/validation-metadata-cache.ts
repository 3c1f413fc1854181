import { getMetadataStorage } from 'class-validator';

type MetadataStorage = ReturnType<typeof getMetadataStorage>;
type TargetMetadatas = ReturnType<MetadataStorage['getTargetValidationMetadatas']>;
type Grouped = ReturnType<MetadataStorage['groupByPropertyName']>;

const INSTALLED = Symbol.for('rapport.validationMetadataCache');

/**
 * Caches class-validator's (0.14) per-call answers to "which rules apply to this class"
 * and "grouped by property" per class, and drops the cache whenever a rule or constraint
 * is added (why: docs/decisions/0023-validation-and-ids-on-the-ingest-path.md). Calls with
 * validation groups are passed through uncached. The grouping has no prototype, so fields
 * named `__proto__` or `constructor` are refused like any unknown one.
 */
export function installValidationMetadataCache(storage = getMetadataStorage()): void {
  const marked = storage as MetadataStorage & { [INSTALLED]?: true };
  if (marked[INSTALLED]) return;
  marked[INSTALLED] = true;

  let byOptions = new Map<string, Map<unknown, TargetMetadatas>>();
  let grouped = new WeakMap<TargetMetadatas, Grouped>();
  const forget = () => {
    byOptions = new Map();
    grouped = new WeakMap();
  };

  const getTargetValidationMetadatas = storage.getTargetValidationMetadatas.bind(storage);
  const groupByPropertyName = storage.groupByPropertyName.bind(storage);
  const addValidationMetadata = storage.addValidationMetadata.bind(storage);
  const addConstraintMetadata = storage.addConstraintMetadata.bind(storage);

  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if (groups && groups.length > 0)
      return getTargetValidationMetadatas(target, schema, always, strictGroups, groups);
    // One cache per combination of options; the common one (no schema, no `always`, no
    // strict groups) is looked up by the class alone.
    const options = schema || always || strictGroups ? `${schema}|${always}|${strictGroups}` : '';
    let perOptions = byOptions.get(options);
    if (!perOptions) byOptions.set(options, (perOptions = new Map()));
    let metadatas = perOptions.get(target);
    if (!metadatas) {
      metadatas = getTargetValidationMetadatas(target, schema, always, strictGroups, groups);
      perOptions.set(target, metadatas);
    }
    return metadatas;
  };
  storage.groupByPropertyName = (metadatas) => {
    let result = grouped.get(metadatas);
    if (!result) {
      // Without a prototype: class-validator's whitelist looks fields up in this object,
      // and on a plain object `__proto__` and `constructor` would be found and let through.
      result = Object.assign(Object.create(null) as Grouped, groupByPropertyName(metadatas));
      grouped.set(metadatas, result);
    }
    return result;
  };
  storage.addValidationMetadata = (metadata) => {
    forget();
    addValidationMetadata(metadata);
  };
  storage.addConstraintMetadata = (metadata) => {
    forget();
    addConstraintMetadata(metadata);
  };
}

export {
  DEFAULT_ESDB_ID_LOOKBACK,
  EsdbEventStore,
  esdbEventStoreFromUrl,
  type EsdbEventStoreOptions,
} from './esdb-event-store';
export { connectEsdbClient, type EsdbClient, type EsdbSubscription } from './esdb-client';
export { type EsdbReconnectOptions } from './esdb-subscription';
export { parseEsdbUrl, type EsdbReadFilter, type EsdbUrl } from './esdb-url';

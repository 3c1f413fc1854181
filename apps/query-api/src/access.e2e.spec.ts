import { loadConfig, routeTable } from '@rapport/api';
import { describeServiceAccessMatrix } from '@rapport/testing';
import { QueryApiModule } from './query-api.module';

describeServiceAccessMatrix('query-api', () => routeTable(QueryApiModule.forRoot(loadConfig({}))));

import { loadConfig, routeTable } from '@rapport/api';
import { describeServiceAccessMatrix } from '@rapport/testing';
import { IngestorModule } from './ingestor.module';

// The ingestor takes touchpoints (adapter keys) and staff commands (tokens).
describeServiceAccessMatrix('ingestor', () => routeTable(IngestorModule.forRoot(loadConfig({}))));

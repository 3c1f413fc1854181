import 'reflect-metadata';
import { loadConfig, requireKafkaBus, runService } from '@rapport/api';
import { IngestorModule } from './ingestor.module';
import { DlqHealth, KafkaTouchpointTransport } from './kafka/kafka-touchpoint-transport';

const config = loadConfig();
void runService('ingestor', IngestorModule.forRoot(config), config, async (app) => {
  app.connectMicroservice(
    {
      strategy: new KafkaTouchpointTransport({
        kafkaUrl: requireKafkaBus(config, 'ingestor'),
        groupId: process.env.RAPPORT_INGESTOR_GROUP || 'rapport-ingestor',
        health: app.get(DlqHealth),
      }),
    },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
});

import 'reflect-metadata';
import {
  loadConfig,
  PERSONAL_DATA,
  RapportMetrics,
  Readiness,
  requireKafkaBus,
  runService,
  SUPPRESSION_LIST,
} from '@rapport/api';
import { type LogSuppressionList } from '@rapport/application';
import { DeadLetterSealer, type PersonalData } from '@rapport/privacy';
import { type INestApplication } from '@nestjs/common';
import { IngestorModule } from './ingestor.module';
import { DlqHealth, KafkaTouchpointTransport } from './kafka/kafka-touchpoint-transport';

const config = loadConfig();
void runService('ingestor', IngestorModule.forRoot(config), config, async (app) => {
  const metrics = metricsOf(app);
  const personalData = app.get<PersonalData | null>(PERSONAL_DATA);
  const suppression = app.get<LogSuppressionList | null>(SUPPRESSION_LIST);
  const sealer =
    personalData &&
    new DeadLetterSealer(
      personalData.keys,
      personalData.hashIdentity,
      { defaultPhoneRegion: config.defaultPhoneRegion },
      async (identityKey) => {
        if (!suppression) return false;
        await suppression.refresh();
        return suppression.isSuppressed(identityKey);
      },
    );
  const transport = new KafkaTouchpointTransport({
    kafkaUrl: requireKafkaBus(config, 'ingestor'),
    groupId: process.env.RAPPORT_INGESTOR_GROUP || 'rapport-ingestor',
    health: app.get(DlqHealth),
    metrics,
    ...(sealer ? { sealDeadLetter: (letter) => sealer.seal(letter) } : {}),
  });
  metrics?.watchConsumerLag(async () => (await transport.watch?.lags()) ?? []);
  app.get(Readiness).add({
    name: 'kafkaConsumer',
    check: () => {
      const state = transport.watch?.state ?? 'starting';
      if (state !== 'running') throw new Error(`the Kafka consumer is ${state}`);
      return { state };
    },
  });
  app.connectMicroservice({ strategy: transport }, { inheritAppConfig: true });
  await app.startAllMicroservices();
});

/** The service's metrics, unless `RAPPORT_METRICS=off`. */
function metricsOf(app: INestApplication): RapportMetrics | undefined {
  try {
    return app.get(RapportMetrics);
  } catch {
    return undefined;
  }
}

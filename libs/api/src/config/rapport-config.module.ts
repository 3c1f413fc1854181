import { type DynamicModule, Global, Module } from '@nestjs/common';
import { RAPPORT_CONFIG } from '../platform/tokens';
import { type RapportConfig } from './rapport-config';

/** Makes the loaded configuration injectable everywhere as `RAPPORT_CONFIG`. */
@Global()
@Module({})
export class RapportConfigModule {
  static forRoot(config: RapportConfig): DynamicModule {
    return {
      module: RapportConfigModule,
      providers: [{ provide: RAPPORT_CONFIG, useValue: config }],
      exports: [RAPPORT_CONFIG],
    };
  }
}

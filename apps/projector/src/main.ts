import 'reflect-metadata';
import { loadConfig, runService } from '@rapport/api';
import { ProjectorModule } from './projector.module';

const config = loadConfig();
void runService('projector', ProjectorModule.forRoot(config), config);

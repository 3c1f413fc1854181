import { Module } from '@nestjs/common';
import { ProjectionAdminService } from './projection-admin.service';
import { ProjectionsAdminController } from './projections-admin.controller';

/**
 * The operators' API (`/v1/admin/projections`): needs `EventStoreModule` and
 * `ReadModelsModule`; uses the projector's status where present.
 */
@Module({ controllers: [ProjectionsAdminController], providers: [ProjectionAdminService] })
export class ProjectionAdminModule {}

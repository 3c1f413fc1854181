import { Module } from '@nestjs/common';
import { CustomerAnnotationCommands } from '@rapport/application';
import { type EventStore } from '@rapport/event-store';
import { type ReadModels, type TimelineReadModel } from '@rapport/read-models';
import { hostedProjection } from '../platform/projection-host';
import { EVENT_STORE, READ_MODELS, TIMELINE_READ_MODEL } from '../platform/tokens';
import { AnnotationCommandsController } from './annotation-commands.controller';
import { annotationLookups } from './annotation-lookups';
import { AnnotationQueriesController, LabelsController } from './annotation-queries.controller';
import { ANNOTATION_COMMANDS, ANNOTATIONS_PROJECTOR } from './annotation-tokens';

/** Writing notes and labels (where the log is: the ingestor, `rapport dev`). */
@Module({
  controllers: [AnnotationCommandsController],
  providers: [
    {
      provide: ANNOTATION_COMMANDS,
      useFactory: (store: EventStore, readModels: ReadModels, timeline: TimelineReadModel) =>
        new CustomerAnnotationCommands(
          store,
          annotationLookups(timeline, readModels.annotations.model),
        ),
      inject: [EVENT_STORE, READ_MODELS, TIMELINE_READ_MODEL],
    },
  ],
})
export class AnnotationCommandsHttpModule {}

/** Reading notes and labels, and customers by label (the query API, `rapport dev`). */
@Module({ controllers: [AnnotationQueriesController, LabelsController] })
export class AnnotationQueriesHttpModule {}

/** The projector's annotations part: notes and labels from the log into their read model. */
@Module({
  providers: [
    hostedProjection(
      ANNOTATIONS_PROJECTOR,
      'annotations',
      (store: EventStore, readModels: ReadModels) => (log) =>
        readModels.annotations.startProjection(store, log),
      [EVENT_STORE, READ_MODELS],
    ),
  ],
  exports: [ANNOTATIONS_PROJECTOR],
})
export class AnnotationsProjectionModule {}

import { Module } from '@nestjs/common';
import { ReferenceDataCoreModule } from '../reference-data/reference-data.module';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';

/** Deadline alerts: list, acknowledge, live SSE feed (docs/alerts.md). */
@Module({
  imports: [ReferenceDataCoreModule],
  controllers: [AlertsController],
  providers: [AlertsService],
  exports: [AlertsService],
})
export class AlertsModule {}

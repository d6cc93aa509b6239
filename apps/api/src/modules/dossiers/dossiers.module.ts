import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ReferenceDataCoreModule } from '../reference-data/reference-data.module';
import { ApplicantsModule } from '../applicants/applicants.module';
import { ReceiveDossierController } from './commands/receive/receive.controller';
import { ReceiveDossierHandler } from './commands/receive/receive.handler';
import { SubmitOnlineController } from './commands/submit-online/submit-online.controller';
import { SubmitOnlineHandler } from './commands/submit-online/submit-online.handler';
import { RefuseDossierController } from './commands/refuse/refuse.controller';
import { RefuseDossierHandler } from './commands/refuse/refuse.handler';
import { RecordStepController } from './commands/record-step/record-step.controller';
import { RecordStepHandler } from './commands/record-step/record-step.handler';
import { RequestSupplementController } from './commands/request-supplement/request-supplement.controller';
import { RequestSupplementHandler } from './commands/request-supplement/request-supplement.handler';
import { SupplySupplementController } from './commands/supply-supplement/supply-supplement.controller';
import { SupplySupplementHandler } from './commands/supply-supplement/supply-supplement.handler';
import { RequestPaymentController } from './commands/request-payment/request-payment.controller';
import { RequestPaymentHandler } from './commands/request-payment/request-payment.handler';
import { RecordPaymentController } from './commands/record-payment/record-payment.controller';
import { RecordPaymentHandler } from './commands/record-payment/record-payment.handler';
import { IssueApologyController } from './commands/issue-apology/issue-apology.controller';
import { IssueApologyHandler } from './commands/issue-apology/issue-apology.handler';
import { CompleteDossierController } from './commands/complete/complete.controller';
import { CompleteDossierHandler } from './commands/complete/complete.handler';
import { ReturnResultController } from './commands/return-result/return-result.controller';
import { ReturnResultHandler } from './commands/return-result/return-result.handler';
import { WithdrawDossierController } from './commands/withdraw/withdraw.controller';
import { WithdrawDossierHandler } from './commands/withdraw/withdraw.handler';
import { StopDossierController } from './commands/stop/stop.controller';
import { StopDossierHandler } from './commands/stop/stop.handler';
import { DossierCommandRunner } from './dossier-command.runner';
import { DossierReader } from './dossier-reader';
import { DossierQueriesController } from './queries/dossier-queries.controller';
import { GetDossierHandler } from './queries/get-dossier/get-dossier.handler';
import { GetDossierHistoryHandler } from './queries/get-history/get-dossier-history.handler';

const commandControllers = [
  ReceiveDossierController,
  SubmitOnlineController,
  RefuseDossierController,
  RecordStepController,
  RequestSupplementController,
  SupplySupplementController,
  RequestPaymentController,
  RecordPaymentController,
  IssueApologyController,
  CompleteDossierController,
  ReturnResultController,
  WithdrawDossierController,
  StopDossierController,
];
const commandHandlers = [
  ReceiveDossierHandler,
  SubmitOnlineHandler,
  RefuseDossierHandler,
  RecordStepHandler,
  RequestSupplementHandler,
  SupplySupplementHandler,
  RequestPaymentHandler,
  RecordPaymentHandler,
  IssueApologyHandler,
  CompleteDossierHandler,
  ReturnResultHandler,
  WithdrawDossierHandler,
  StopDossierHandler,
];

/** The dossier use cases of the Counter API: one folder per command, plus the two per-dossier reads. */
@Module({
  imports: [CqrsModule, ReferenceDataCoreModule, ApplicantsModule],
  controllers: [...commandControllers, DossierQueriesController],
  providers: [DossierCommandRunner, DossierReader, ...commandHandlers, GetDossierHandler, GetDossierHistoryHandler],
})
export class DossiersModule {}

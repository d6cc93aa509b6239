import { Module } from '@nestjs/common';
import { AuditService } from './audit.service';
import { ReplayController } from './commands/replay/replay.controller';
import { HistoryController } from './queries/history/history.controller';
import { SlaAuditController } from './queries/sla/sla.controller';
import { StateController } from './queries/state/state.controller';
import { SealController } from './queries/seal/seal.controller';
import { VerifyController } from './queries/verify/verify.controller';

/** Auditors and admins: dossier history and time travel, hash-chain verification, seals, audit replay, bitemporal SLA. */
@Module({
  controllers: [HistoryController, StateController, VerifyController, SealController, SlaAuditController, ReplayController],
  providers: [AuditService],
})
export class AuditModule {}

import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { checkExpectedRevision, eventMetadata } from '../../../command/command-context';
import { ApiError } from '@motcua/platform';
import { isLocalDate, PROCEDURE_STREAM, ProcedureChangedV1, REF_EVENT } from '@motcua/reference-data';
import { procedureResponse, ProcedureResponse } from '@motcua/reference-data';
import { ReferenceDataService } from '../../reference-data.service';
import { retryOnStreamRace } from '../retry';
import { ChangeProcedureCommand } from './change-procedure.command';

/**
 * New rules from a date: a new rules version. Dossiers received before keep the version they recorded
 * at receipt. Rules equal to those already in force on that date write nothing.
 */
@CommandHandler(ChangeProcedureCommand)
export class ChangeProcedureHandler implements ICommandHandler<ChangeProcedureCommand> {
  constructor(private readonly ref: ReferenceDataService) {}

  async execute({ code, input, ctx }: ChangeProcedureCommand): Promise<ProcedureResponse> {
    return retryOnStreamRace(
      ctx,
      () => this.ref.refresh(),
      async () => {
        const model = this.ref.ready();
        const done = model.procedureCommand(ctx.commandId);
        if (done) return procedureResponse(model.procedureAtRevision(done.code, done.revision)!);
        const rec = model.procedure(code);
        if (!rec) throw ApiError.notFound(`no procedure '${code}'`);
        checkExpectedRevision(ctx, rec.revision);
        const effectiveFrom = input.effectiveFrom;
        if (!effectiveFrom || !isLocalDate(effectiveFrom)) {
          throw ApiError.validation([{ field: 'effectiveFrom', message: 'effectiveFrom (YYYY-MM-DD) is required for a change of rules' }]);
        }
        const cur = model.procedureRulesAsOf(code, effectiveFrom);
        const wanted = {
          name: input.name,
          deadlineValue: input.deadlineValue,
          deadlineUnit: input.deadlineUnit,
          cutoffTime: input.cutoffTime ?? null,
          paymentPausesClock: input.paymentPausesClock,
        };
        if (
          cur &&
          cur.name === wanted.name &&
          cur.deadlineValue === wanted.deadlineValue &&
          cur.deadlineUnit === wanted.deadlineUnit &&
          cur.cutoffTime === wanted.cutoffTime &&
          cur.paymentPausesClock === wanted.paymentPausesClock
        ) {
          return procedureResponse(rec);
        }
        const rulesVersion = Math.max(...rec.versions.map((v) => v.rulesVersion)) + 1;
        const data: ProcedureChangedV1 = { code, effectiveFrom, rulesVersion, ...wanted };
        const res = await this.ref.append(
          PROCEDURE_STREAM,
          [{ type: REF_EVENT.procedureChanged, data: { ...data }, metadata: eventMetadata(ctx) }],
          model.procedureStreamRevision,
          ctx.commandId,
        );
        return procedureResponse(this.ref.model.procedureAtRevision(code, res.nextExpectedRevision)!);
      },
    );
  }
}

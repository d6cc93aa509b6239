import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { eventMetadata } from '../../../command/command-context';
import { ApiError } from '@motcua/platform';
import { isLocalDate, PROCEDURE_STREAM, ProcedureRegisteredV1, REF_EVENT } from '@motcua/reference-data';
import { procedureResponse, ProcedureResponse } from '@motcua/reference-data';
import { ReferenceDataService } from '../../reference-data.service';
import { retryOnStreamRace } from '../retry';
import { RegisterProcedureCommand } from './register-procedure.command';

@CommandHandler(RegisterProcedureCommand)
export class RegisterProcedureHandler implements ICommandHandler<RegisterProcedureCommand> {
  constructor(private readonly ref: ReferenceDataService) {}

  async execute({ input, ctx }: RegisterProcedureCommand): Promise<ProcedureResponse> {
    return retryOnStreamRace(
      ctx,
      () => this.ref.refresh(),
      async () => {
        const model = this.ref.ready();
        const done = model.procedureCommand(ctx.commandId);
        if (done) return procedureResponse(model.procedureAtRevision(done.code, done.revision)!);
        if (model.procedure(input.code)) throw ApiError.duplicate(`procedure '${input.code}' is already registered`);
        if (input.effectiveFrom && !isLocalDate(input.effectiveFrom)) {
          throw ApiError.validation([{ field: 'effectiveFrom', message: 'effectiveFrom is not a calendar date' }]);
        }
        const data: ProcedureRegisteredV1 = {
          code: input.code,
          name: input.name,
          deadlineValue: input.deadlineValue,
          deadlineUnit: input.deadlineUnit,
          cutoffTime: input.cutoffTime ?? null,
          paymentPausesClock: input.paymentPausesClock,
          effectiveFrom: input.effectiveFrom ?? null,
          rulesVersion: 1,
        };
        const res = await this.ref.append(
          PROCEDURE_STREAM,
          [{ type: REF_EVENT.procedureRegistered, data: { ...data }, metadata: eventMetadata(ctx) }],
          model.procedureStreamRevision,
          ctx.commandId,
        );
        return procedureResponse(this.ref.model.procedureAtRevision(input.code, res.nextExpectedRevision)!);
      },
    );
  }
}

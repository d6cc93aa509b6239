import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DossierCommandRunner } from '../../dossier-command.runner';
import { opt } from '../../model/optional';
import { DossierCommandResponse } from '../../model/views';
import { RecordStepCommand } from './record-step.command';

@CommandHandler(RecordStepCommand)
export class RecordStepHandler implements ICommandHandler<RecordStepCommand> {
  constructor(private readonly runner: DossierCommandRunner) {}

  execute({ code, input, ctx }: RecordStepCommand): Promise<DossierCommandResponse> {
    return this.runner.act(code, ctx, {
      command: () => ({
        type: 'record_step',
        occurredAt: input.occurredAt,
        kind: input.kind,
        fromUnit: input.fromUnit,
        toUnit: input.toUnit,
        ...opt('allottedWorkingHours', input.allottedWorkingHours),
        ...opt('note', input.note),
      }),
    });
  }
}

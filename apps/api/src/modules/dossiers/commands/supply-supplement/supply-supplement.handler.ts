import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DossierCommandRunner } from '../../dossier-command.runner';
import { DossierCommandResponse } from '../../model/views';
import { SupplySupplementCommand } from './supply-supplement.command';

@CommandHandler(SupplySupplementCommand)
export class SupplySupplementHandler implements ICommandHandler<SupplySupplementCommand> {
  constructor(private readonly runner: DossierCommandRunner) {}

  execute({ code, input, ctx }: SupplySupplementCommand): Promise<DossierCommandResponse> {
    return this.runner.act(code, ctx, { command: () => ({ type: 'supply_supplement', occurredAt: input.occurredAt }) });
  }
}

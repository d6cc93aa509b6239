import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DossierCommandRunner } from '../../dossier-command.runner';
import { DossierCommandResponse } from '../../model/views';
import { IssueApologyCommand } from './issue-apology.command';

@CommandHandler(IssueApologyCommand)
export class IssueApologyHandler implements ICommandHandler<IssueApologyCommand> {
  constructor(private readonly runner: DossierCommandRunner) {}

  execute({ code, input, ctx }: IssueApologyCommand): Promise<DossierCommandResponse> {
    return this.runner.act(code, ctx, {
      command: () => ({ type: 'issue_apology', occurredAt: input.occurredAt, newPromisedAt: input.newPromisedAt, reason: input.reason }),
    });
  }
}

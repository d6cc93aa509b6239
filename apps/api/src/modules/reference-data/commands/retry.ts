import { WrongExpectedRevisionError } from '@motcua/event-store';
import { CommandContext } from '../../../shared/command/command-context';

/**
 * Reference data shares one stream per kind, so two admins writing *different* agencies race on the
 * stream head. Without If-Match the conflict is not the client's: refresh and decide again.
 */
export async function retryOnStreamRace<T>(ctx: CommandContext, refresh: () => Promise<void>, attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof WrongExpectedRevisionError) || ctx.expectedRevision !== undefined || i >= 4) throw err;
      await refresh();
    }
  }
}

import { WrongExpectedRevisionError } from '@motcua/event-store';
import { CommandContext } from '../../command/command-context';

/**
 * Reference data shares one stream per kind, so two admins writing *different* agencies race on the
 * stream head. Without If-Match the conflict is not the client's: refresh and decide again.
 *
 * The model is brought up to date before the first attempt too: another instance or API process (or the
 * CLI) may have written a moment ago, e.g. the parent agency that the previous request of this very
 * client registered through another process. Reference-data writes are rare; reading the stream tails is cheap.
 */
export async function retryOnStreamRace<T>(ctx: CommandContext, refresh: () => Promise<void>, attempt: () => Promise<T>): Promise<T> {
  await refresh();
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof WrongExpectedRevisionError) || ctx.expectedRevision !== undefined || i >= 4) throw err;
      await refresh();
    }
  }
}

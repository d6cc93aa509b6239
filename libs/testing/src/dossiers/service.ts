import type { DossierCommands } from '@motcua/application';
import type { EventStore } from '@motcua/event-store';

/**
 * The application service every dossier writer of the fixtures goes through (load, decide, append with
 * the expected revision, metadata from the command's origin), as the API and the worker write.
 *
 * Loaded on first use: the pure core's specs import this lib for its builders and decider helper, and
 * `@motcua/application` would bring Nest and the store drivers into every one of them.
 */
export function dossierCommands(store: EventStore): DossierCommands {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const application = require('@motcua/application') as typeof import('@motcua/application');
  return new application.DossierCommands(store);
}

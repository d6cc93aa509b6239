import * as eventStoreLib from '@motcua/event-store';
import type { EventStore } from '@motcua/event-store';
import { AppConfig, ConfigError } from '../config/app-config';

type Factories = {
  createSqliteEventStore?: (o: { file: string; minFreeBytes?: number }) => Promise<EventStore> | EventStore;
  createPostgresEventStore?: (o: { connectionString: string; schema?: string }) => Promise<EventStore> | EventStore;
  createKurrentDbEventStore?: (o: { connectionString: string }) => Promise<EventStore> | EventStore;
};

/** Opens the adapter chosen by EVENT_STORE. The adapters live in libs/event-store; this only picks one. */
export async function openEventStore(config: AppConfig['eventStore']): Promise<EventStore> {
  // Looked up by name so the app builds while an adapter is not exported yet; a missing one fails
  // at start with the variable named, like any other configuration error.
  const lib = eventStoreLib as unknown as Factories;
  switch (config.kind) {
    case 'sqlite':
      if (!lib.createSqliteEventStore) throw new ConfigError('EVENT_STORE', 'the sqlite adapter is not available in this build');
      return lib.createSqliteEventStore({ file: config.file, minFreeBytes: config.minFreeBytes });
    case 'postgres':
      if (!lib.createPostgresEventStore) throw new ConfigError('EVENT_STORE', 'the postgres adapter is not available in this build');
      return lib.createPostgresEventStore({ connectionString: config.connectionString, ...(config.schema ? { schema: config.schema } : {}) });
    case 'kurrentdb':
      if (!lib.createKurrentDbEventStore) throw new ConfigError('EVENT_STORE', 'the kurrentdb adapter is not available in this build');
      return lib.createKurrentDbEventStore({ connectionString: config.connectionString });
  }
}

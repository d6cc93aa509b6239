/** Helpers shared by the fault, scale-out and load runs. */
import type { EventStore, RecordedEvent } from '@motcua/event-store';
import { sleep } from './cluster';

export async function readAllEvents(store: EventStore): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.readAll({ ...(after ? { after } : {}), maxCount: 5000 });
    out.push(...page);
    if (page.length < 5000) return out;
    after = page[page.length - 1].position;
  }
}

export async function waitUntil(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      if (await ok()) return;
    } catch (e) {
      last = e;
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

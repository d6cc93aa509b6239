/**
 * `npm run cli -- quarantine list [--consumer NAME] [--limit N] [--cursor C] [--json]`: what the worker's
 * consumers set aside because they could not process it, in log order, with the reason and when it was
 * first seen; the same rows as GET /api/admin/quarantine, read from the configuration's read models and
 * alerts database (READ_MODELS_*, ALERTS_DB*). One line per row (or a JSON page), then the counts per
 * consumer and the cursor of the next page, if any. (Options declared in commands.ts.)
 */
import { loadConfig, openQuarantine } from '@motcua/platform';
import { InvalidQuarantineCursorError } from '@motcua/read-models';
import { UsageError } from './args';

const str = (flags: Record<string, string | true>, name: string): string | undefined => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);

export async function quarantineList(flags: Record<string, string | true>): Promise<number> {
  const limitRaw = str(flags, 'limit');
  const limit = limitRaw === undefined ? 100 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit must be a whole number from 1 to 500');
  const consumer = str(flags, 'consumer');
  const q = openQuarantine(loadConfig());
  try {
    let page;
    try {
      page = await q.reader.list({ consumer, limit, cursor: str(flags, 'cursor') });
    } catch (err) {
      if (err instanceof InvalidQuarantineCursorError) throw new UsageError(`--cursor: ${err.message}`);
      throw err;
    }
    const counts = await q.reader.counts();
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    if (flags.json) {
      process.stdout.write(JSON.stringify({ ...page, counts, total }, null, 2) + '\n');
      return 0;
    }
    for (const e of page.items) {
      process.stdout.write(`${e.position || '-'}\t${e.consumer}\t${e.streamId}@${e.revision}\t${e.eventType}\t${e.firstSeenAt}\t${e.reason}\n`);
    }
    const by = Object.entries(counts)
      .map(([c, n]) => `${c}: ${n}`)
      .join(', ');
    process.stdout.write(total === 0 ? 'nothing in quarantine\n' : `${total} in quarantine (${by})${consumer ? `; listed: ${consumer} only` : ''}\n`);
    if (page.nextCursor) process.stdout.write(`more: npm run cli -- quarantine list --cursor ${page.nextCursor}${consumer ? ` --consumer ${consumer}` : ''}\n`);
    return 0;
  } finally {
    await q.close();
  }
}

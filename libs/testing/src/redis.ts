/**
 * Simulates FLUSHALL for one deployment: deletes every key under the prefix (other tests keep theirs).
 * ioredis is loaded on first use, like the application service (see dossiers/service.ts).
 */
export async function deletePrefix(redisUrl: string, prefix: string): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Redis } = require('ioredis') as typeof import('ioredis');
  const r = new Redis(redisUrl);
  let n = 0;
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) n += await r.del(...keys);
  } while (cursor !== '0');
  r.disconnect();
  return n;
}

/**
 * Quick manual check of the group-commit target and raw baselines (not a test, not the bench):
 *   npx tsc --outDir /tmp/pg-measure --module commonjs --moduleResolution node --target es2022 \
 *     --esModuleInterop --skipLibCheck libs/event-store/src/postgres/measure.ts && node /tmp/pg-measure/postgres/measure.js
 */
import { measureGroupCommit, rawPostgresBaselines } from './baseline';

async function main(): Promise<void> {
  const url = process.env.EVENT_STORE_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const n = Number(process.env.N ?? 2000);
  const raw = await rawPostgresBaselines(url, n);
  const group = await measureGroupCommit(url, { appends: n, concurrency: 32 });
  process.stdout.write(JSON.stringify({ raw, group }, null, 2) + '\n');
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(String(err?.stack ?? err) + '\n');
    process.exit(1);
  });
}

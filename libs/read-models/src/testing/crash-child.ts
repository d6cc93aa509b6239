/**
 * Child process of exactly-once.int-spec.ts: runs the projection runner on the parent's stores and
 * SIGKILLs itself inside the Nth batch transaction, after the batch is written and before COMMIT.
 * Usage: node -r ./ts-register.js crash-child.ts <engine> <env id> <crash at batch N>
 */
import { ProjectionRunner } from '../runner';
import { makeEnv, type Engine } from './fixtures';

async function main() {
  const [engine, id, crashAt] = process.argv.slice(2);
  const env = await makeEnv(engine as Engine, 'crash', id);
  let batches = 0;
  const runner = new ProjectionRunner({
    store: env.store,
    db: env.db,
    maxBatch: 100,
    readBatch: 100,
    hooks: {
      beforeCommit: (info) => {
        if (++batches === Number(crashAt)) {
          process.stdout.write(`KILL ${info.events} ${info.to}\n`);
          process.kill(process.pid, 'SIGKILL');
          return new Promise(() => undefined);
        }
      },
    },
  });
  await runner.start();
  await runner.waitFor(undefined, 60_000);
  process.stdout.write('CAUGHT-UP\n');
  process.exit(0);
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/** Shared by the benchmarks: the sample event and the PostgreSQL of the test set-up. */
import { Client } from 'pg';
import type { NewEvent } from '@motcua/event-store';

/** A dossier-received-like event, ~600 bytes of JSON with Vietnamese text. */
export function sampleEvent(i: number, commandId: string): NewEvent {
  return {
    type: 'dossier.received.v1',
    data: {
      dossierCode: `000.00.01.H12-2407${String(i).padStart(6, '0')}`,
      agencyCode: '000.00.01.H12',
      procedureCode: '1.004227',
      channel: i % 3 === 0 ? 'online' : 'counter',
      applicant: { name: 'Nguyễn Thị Hồng Nhung', idNumber: `0010950${String(i % 100000).padStart(5, '0')}`, phone: '0912345678' },
      address: 'Số 12, ngõ 34 phố Trần Hưng Đạo, phường Hàng Bài, quận Hoàn Kiếm, Hà Nội',
      receivedAt: '2024-07-01T08:15:00+07:00',
      dueAt: '2024-07-15T17:00:00+07:00',
      documents: ['Tờ khai đăng ký kinh doanh', 'Bản sao căn cước công dân', 'Giấy ủy quyền'],
      fee: 100000,
    },
    metadata: { actor: 'officer-042', agencyCode: '000.00.01.H12', correlationId: `corr-${i}`, commandId },
  };
}

/** PostgreSQL URL: BENCH_PG_URL, else the PG* variables, else the test set-up's server and db `test`. */
export function pgUrl(): string {
  if (process.env.BENCH_PG_URL) return process.env.BENCH_PG_URL;
  const host = process.env.PGHOST ?? '127.0.0.1';
  const port = process.env.PGPORT ?? '5432';
  const user = process.env.PGUSER ?? 'postgres';
  const db = process.env.PGDATABASE ?? 'test';
  return `postgres://${encodeURIComponent(user)}@${host}:${port}/${db}`;
}

/** Fails with a clear message when the server is not there (the bench does not start services). */
export async function assertPostgresReachable(url: string): Promise<void> {
  const probe = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await probe.connect();
    await probe.end();
  } catch (e) {
    throw new Error(
      `PostgreSQL is not reachable at ${url.replace(/\/\/[^@]*@/, '//…@')} (${(e as Error).message}). ` +
        'Start it (source scripts/services.sh && ensure_postgres) or set BENCH_PG_URL.',
      { cause: e },
    );
  }
}

/**
 * A small, private tmpfs: a real file system that runs out of space, for the disk-full tests. Mounting needs
 * root (CAP_SYS_ADMIN) on Linux; `mountTmpfs` says why it cannot instead of throwing, so the test that needs
 * it skips with that reason. Unmounted (lazily, so an open file cannot keep it) and removed by `unmount`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  dir: string;
  unmount(): void;
}

export function mountTmpfs(label: string, sizeBytes: number, owner?: { uid: number; gid: number }): Tmpfs | { unavailable: string } {
  if (process.platform !== 'linux') return { unavailable: 'not Linux' };
  if (process.getuid?.() !== 0) return { unavailable: 'mounting a tmpfs needs root' };
  const dir = mkdtempSync(join(tmpdir(), `motcua-${label}-`));
  const options = [`size=${sizeBytes}`, 'mode=0700', ...(owner ? [`uid=${owner.uid}`, `gid=${owner.gid}`] : [])].join(',');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return { unavailable: `mount -t tmpfs failed: ${String((e as { stderr?: unknown }).stderr ?? e).trim()}` };
  }
  let mounted = true;
  return {
    dir,
    unmount() {
      if (!mounted) return;
      mounted = false;
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

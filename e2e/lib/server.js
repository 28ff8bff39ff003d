// Boots the real Aman server for the end-to-end tests: the binary built
// from the repository root, a fresh temporary data dir, the repository's
// pb_migrations and pb_hooks, a superuser created before the first start.
// Nothing is mocked: the tests talk HTTP to the same program `bin/serve` runs.
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const binary = join(repoRoot, 'e2e', '.build', 'aman');

export const superuser = { email: 'root@aman.e2e', password: 'e2e-superuser-pass-1' };

const goEnv = {
  ...process.env,
  GOTOOLCHAIN: process.env.GOTOOLCHAIN_AMAN || 'go1.27.3',
  GOFLAGS: process.env.GOFLAGS || '-buildvcs=false',
};

// buildServer compiles the server. `npm test` builds once before the test
// files run in parallel and sets AMAN_E2E_PREBUILT; a test file run alone
// builds for itself (a no-op when the binary is up to date).
export function buildServer() {
  try {
    execFileSync('go', ['build', '-o', binary, '.'], { cwd: repoRoot, env: goEnv, stdio: 'pipe' });
  } catch (err) {
    throw new Error(`go build of the server failed:\n${err.stderr?.toString() ?? err.message}`);
  }
  return binary;
}

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

function dirFlags(dataDir) {
  return [
    '--dir', dataDir,
    '--migrationsDir', join(repoRoot, 'pb_migrations'),
    '--hooksDir', join(repoRoot, 'pb_hooks'),
    '--hooksWatch=false',
  ];
}

async function waitHealthy(url, proc, logs, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) {
      throw new Error(`aman exited with ${proc.exitCode} before becoming healthy:\n${logs.join('')}`);
    }
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`aman not healthy after ${timeoutMs} ms:\n${logs.join('')}`);
}

// startServer builds (if needed) and starts a fresh server. The returned
// stop() kills it and removes its data dir; restart() stops and starts it
// again; logs() returns its output, for failure messages. snapshot() and restore() stand for a backup and its
// restore: the server is stopped, its data dir copied (or replaced by the
// copy), and started again on the same address, as an operator would do
// with a disk snapshot.
export async function startServer() {
  if (!process.env.AMAN_E2E_PREBUILT) buildServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'aman-e2e-'));
  execFileSync(binary, ['superuser', 'upsert', superuser.email, superuser.password, ...dirFlags(dataDir)], {
    cwd: repoRoot, stdio: 'pipe',
  });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logs = [];
  const snapshots = [];
  let proc;
  const launch = async () => {
    proc = spawn(binary, ['serve', '--http', `127.0.0.1:${port}`, ...dirFlags(dataDir)], {
      cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout.on('data', (b) => logs.push(b.toString()));
    proc.stderr.on('data', (b) => logs.push(b.toString()));
    await waitHealthy(url, proc, logs);
  };
  const halt = async () => {
    if (proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await launch();
  } catch (err) {
    proc.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const stop = async () => {
    await halt();
    for (const dir of [dataDir, ...snapshots]) rmSync(dir, { recursive: true, force: true });
  };
  const snapshot = async () => {
    await halt();
    const copy = mkdtempSync(join(tmpdir(), 'aman-e2e-backup-'));
    cpSync(dataDir, copy, { recursive: true });
    snapshots.push(copy);
    await launch();
    return copy;
  };
  const restore = async (copy) => {
    await halt();
    rmSync(dataDir, { recursive: true, force: true });
    cpSync(copy, dataDir, { recursive: true });
    await launch();
  };
  // restart stops the server and starts it again on the same address, its
  // data kept: every connection to it drops, as in an operator's restart.
  const restart = async () => {
    await halt();
    await launch();
  };
  return { url, dataDir, superuser, stop, snapshot, restore, restart, logs: () => logs.join('') };
}

import { readdir, readFile } from 'node:fs/promises';
import type { Sandbox } from '../lib/testing/index.js';

// What /proc tells of the sandbox daemons: their pids, what they read, their CPU time.

/** The pids of the sandbox daemons of this machine. */
export async function daemonPids(): Promise<string[]> {
  const pids: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = (await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '')).trim();
    if (comm === 'lxd' || comm === 'incusd') pids.push(entry);
  }
  return pids;
}

/** The pid of a sandbox's daemon: the one whose environment names its directory. */
export async function daemonPid(sandbox: Sandbox): Promise<string> {
  for (const pid of await daemonPids()) {
    const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
    if (environ.includes(sandbox.dir)) return pid;
  }
  throw new Error(`no daemon process for ${sandbox.dir}`);
}

/** The bytes a process has read so far (read syscalls: its files and its sockets). */
export async function bytesRead(pid: string): Promise<number> {
  const io = await readFile(`/proc/${pid}/io`, 'utf8');
  return Number(/^rchar: (\d+)$/m.exec(io)?.[1] ?? NaN);
}

/** The CPU time of processes so far, in ms (user and system, at 100 ticks a second). */
export async function cpuOf(pids: readonly string[]): Promise<number> {
  let ticks = 0;
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks * 10;
}

import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LxcError } from '../wire/errors.js';
import { createExecaRunner } from '../transport/cli/runner.js';

const ldd = createExecaRunner({ binary: 'ldd', env: {} });

/** The host programs a bootable test rootfs holds, and where: a shell and `sleep`. */
const PROGRAMS = [
  ['/bin/dash', 'bin/sh'],
  ['/bin/sleep', 'bin/sleep'],
] as const;

/** The `/sbin/init` of a bootable test image: it sleeps until the container is stopped. */
export const INIT_SCRIPT = '#!/bin/sh\nexec /bin/sleep infinity\n';

// The shared libraries and the loader a program needs, as absolute host paths (from `ldd`).
async function libraries(program: string): Promise<string[]> {
  const { stdout } = await ldd([program]);
  return [...stdout.matchAll(/(\/\S+)\s+\(0x[0-9a-f]+\)/g)].flatMap((m) => (m[1] ? [m[1]] : []));
}

// Copies a host file to the same place under `rootfs` (or to `inside`), keeping it executable.
async function place(rootfs: string, from: string, inside = from): Promise<void> {
  const to = join(rootfs, inside);
  await mkdir(dirname(to), { recursive: true });
  await copyFile(from, to);
  await chmod(to, 0o755);
}

/**
 * Makes `rootfs` bootable: a tiny `/sbin/init` (a shell script that sleeps), the host's `dash`
 * and `sleep` with their libraries and loader, and empty `/dev`, `/proc` and `/sys`. About
 * 2 MB; containers made from it start and run until stopped.
 */
export async function addInit(rootfs: string): Promise<void> {
  for (const dir of ['dev', 'proc', 'sys', 'tmp', 'sbin'])
    await mkdir(join(rootfs, dir), { recursive: true });
  for (const [program, inside] of PROGRAMS) {
    try {
      await place(rootfs, program, inside);
      for (const library of await libraries(program)) await place(rootfs, library);
    } catch (error) {
      throw new LxcError(`a bootable test image needs ${program} and ldd on this machine`, {
        cause: error,
      });
    }
  }
  await writeFile(join(rootfs, 'sbin', 'init'), INIT_SCRIPT, { mode: 0o755 });
}

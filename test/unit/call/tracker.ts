/** A task that stays running until released, recording starts and concurrency (scheduler and lock specs). */
export function tracker() {
  const started: number[] = [];
  const release = new Map<number, { ok: () => void; fail: (e: Error) => void }>();
  let running = 0;
  let most = 0;
  const task = (id: number) => () =>
    new Promise<number>((resolve, reject) => {
      started.push(id);
      most = Math.max(most, ++running);
      const done = () => running--;
      release.set(id, {
        ok: () => {
          done();
          resolve(id);
        },
        fail: (e) => {
          done();
          reject(e);
        },
      });
    });
  return { started, release, task, most: () => most };
}

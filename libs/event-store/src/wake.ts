/**
 * A live subscriber's idle wait: resolves when `register`'s wake-up is called (an append or a NOTIFY
 * arrived) or after `pollMs` (another process may have written without telling us), whichever is first.
 * `register` receives the wake-up function and returns how to unregister it.
 */
export function waitForWake(pollMs: number, register: (wake: () => void) => () => void): Promise<void> {
  let unregister: () => void = () => undefined;
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, pollMs);
    function done() {
      clearTimeout(timer);
      resolve();
    }
    unregister = register(done);
  }).finally(() => unregister());
}

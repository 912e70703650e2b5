import { IpcdError, StoreConflict } from './errors';

export const MAX_ATTEMPTS = 8;

/**
 * Runs a unit of work again when it lost a race to another process (a unique or exclusion
 * constraint fired, or a serialization failure). Bounded: after MAX_ATTEMPTS the caller gets BUSY.
 */
export async function withRetry<T>(work: () => Promise<T>, attempts = MAX_ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (e) {
      if (!(e instanceof StoreConflict)) throw e;
      if (attempt >= attempts) {
        throw new IpcdError('BUSY', `the request lost a race with concurrent requests ${attempts} times; retry it`);
      }
      await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
    }
  }
}

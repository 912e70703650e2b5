/**
 * The first administrator. Never a default password: either the operator names one
 * (IPCD_ADMIN_USER / IPCD_ADMIN_PASSWORD), or a random one is written to a file only the
 * server's user can read, and the log says where — the password itself is never logged.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Store } from './store/store';
import { addFirstUser, hasUsers } from './logic/access/users';
import type { Logger } from './logger';

export async function ensureFirstAdmin(
  store: Store,
  log: Logger,
  opts: { initialAdmin?: { username: string; password: string }; passwordFile: string; secretKey?: Buffer },
): Promise<void> {
  // A restart finds users: no password is hashed then.
  if (await hasUsers(store)) return;
  // Replicas starting together on a new database race here: one adds the administrator, the
  // others find it added (and write no password file).
  if (opts.initialAdmin) {
    if (
      await addFirstUser(
        store,
        { ...opts.initialAdmin, role: 'admin', digest: opts.secretKey !== undefined },
        opts.secretKey,
      )
    ) {
      log.info('created the first administrator from IPCD_ADMIN_USER/IPCD_ADMIN_PASSWORD', {
        username: opts.initialAdmin.username,
      });
    }
    return;
  }
  const password = randomBytes(18).toString('base64url');
  // Digest-capable, as from IPCD_ADMIN_PASSWORD, when there is a key to seal the password with.
  if (
    !(await addFirstUser(
      store,
      { username: 'admin', password, role: 'admin', digest: opts.secretKey !== undefined },
      opts.secretKey,
    ))
  )
    return;
  mkdirSync(dirname(opts.passwordFile), { recursive: true });
  writeFileSync(opts.passwordFile, `${password}\n`, { mode: 0o600 });
  log.warn(
    'created the first administrator "admin" with a random password; read it from the file, then delete the file',
    {
      passwordFile: opts.passwordFile,
    },
  );
}

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The package root, whether running from src/ (tests) or dist/src/ (built). */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'wsdl'))) return dir;
    if (dirname(dir) === dir) throw new Error(`ipcd package root not found above ${from}`);
  }
}

export const ROOT = findRoot(__dirname);
export const WSDL_DIR = join(ROOT, 'wsdl');

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the Modal CLI (`modal token new`) keeps profiles: `MODAL_CONFIG_PATH`, else `~/.modal.toml`. */
export function modalConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.MODAL_CONFIG_PATH || join(homedir(), '.modal.toml');
}

/**
 * True when the Modal config file has a profile with a token pair that the SDK will use: the
 * profile named by `MODAL_PROFILE`, else the one marked `active = true`, else none (the SDK's rule).
 * A tiny TOML reading: `[section]` headers and `key = "value"` / `key = true` lines.
 */
export function modalConfigHasToken(env: NodeJS.ProcessEnv = process.env): boolean {
  let text: string;
  try {
    text = readFileSync(modalConfigPath(env), 'utf8');
  } catch {
    return false;
  }
  const profiles = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const section = /^\[\s*"?([^"\]]+)"?\s*\]$/.exec(line);
    if (section) {
      current = {};
      profiles.set(section[1] as string, current);
      continue;
    }
    const pair = /^([A-Za-z0-9_]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))/.exec(line);
    if (pair && current) current[pair[1] as string] = pair[2] ?? pair[3] ?? pair[4] ?? '';
  }
  const wanted = env.MODAL_PROFILE || [...profiles.entries()].find(([, values]) => values.active === 'true')?.[0];
  const profile = wanted === undefined ? undefined : profiles.get(wanted);
  return Boolean(profile?.token_id && profile.token_secret);
}

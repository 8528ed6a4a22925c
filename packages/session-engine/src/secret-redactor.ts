/** What replaces a known secret value. */
export const REDACTED = '[REDACTED]';

/** Values shorter than this are not treated as secrets (they would match ordinary text). */
const MIN_SECRET_LENGTH = 8;

/**
 * The second line of defence for keys: replaces known secret values (model API keys the runtime
 * holds) in text, blocks and events before they are published or stored.
 */
export class SecretRedactor {
  private readonly secrets: string[];

  constructor(secretValues: readonly string[] = []) {
    // Longest first, so a secret containing another is replaced whole.
    this.secrets = [...new Set(secretValues.filter((value) => typeof value === 'string' && value.length >= MIN_SECRET_LENGTH))].sort(
      (a, b) => b.length - a.length,
    );
  }

  get active(): boolean {
    return this.secrets.length > 0;
  }

  text(value: string): string {
    if (!this.active) return value;
    let result = value;
    for (const secret of this.secrets) if (result.includes(secret)) result = result.split(secret).join(REDACTED);
    return result;
  }

  /** A deep copy of `value` with every string redacted (the same object when nothing matched). */
  value<T>(value: T): T {
    if (!this.active) return value;
    return this.walk(value) as T;
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) {
      let changed = false;
      const mapped = value.map((item) => {
        const next = this.walk(item);
        if (next !== item) changed = true;
        return next;
      });
      return changed ? mapped : value;
    }
    if (value !== null && typeof value === 'object') {
      let changed = false;
      const mapped: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        const next = this.walk(item);
        if (next !== item) changed = true;
        mapped[key] = next;
      }
      return changed ? mapped : value;
    }
    return value;
  }
}

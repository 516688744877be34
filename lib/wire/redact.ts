/** Keys whose values are secrets: passwords, tokens, image secrets and `trust_*` settings. */
export const SECRET_KEY = /password|token|secret|(?:^|[._])trust_/i;

const MASK = '***';
const SECRET_FLAG = /^(--(?:password|token|secret)(?:=|$))/i;
// `?secret=…` in URLs, `"password": "…"` in JSON, `password=…` and `password: …` in free text
const SECRET_PARAM = /([?&][\w.-]*(?:secret|token|password)[\w.-]*=)[^&\s"']*/gi;
const SECRET_JSON = /("[\w.-]*(?:secret|token|password|trust_)[\w.-]*"\s*:\s*")(?:[^"\\]|\\.)*"/gi;
const SECRET_FLAG_TEXT = /(--(?:password|token|secret)(?:=|\s+))(['"]?)(?!\*\*\*)[^\s'"]+\2/gi;
const SECRET_PAIR = /(\b[\w.-]*(?:secret|token|password)[\w.-]*\s*[=:]\s*)(?!\*\*\*)[^\s,;"'&]+/gi;

/** Collects the string values held under secret-looking keys anywhere in a JSON-like value. */
export function secretValues(value: unknown, key = ''): string[] {
  if (typeof value === 'string') return SECRET_KEY.test(key) && value !== '' ? [value] : [];
  if (typeof value !== 'object' || value === null) return [];
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item) => [key, item])
    : Object.entries(value);
  return entries.flatMap(([k, v]) => secretValues(v, k));
}

/** The secret values an argv holds: after `--password`/`--token`, and `config set <secret key> <value>`. */
export function argvSecrets(argv: readonly string[]): string[] {
  return argv.flatMap((arg, i) => {
    const previous = argv[i - 1] ?? '';
    if (/^--(?:password|token|secret)$/i.test(previous)) return [arg];
    if (i >= 2 && argv[i - 2] === 'set' && SECRET_KEY.test(previous)) return [arg];
    const inline = /^--(?:password|token|secret)=(.+)$/i.exec(arg)?.[1];
    return inline === undefined ? [] : [inline];
  });
}

/**
 * Hides secrets in everything that leaves the library: argv, bodies, stderr, messages and
 * causes. It masks the known secret values of one call (`secrets`) wherever they appear, and
 * any value that follows a secret-looking key or flag.
 */
export class Redactor {
  private readonly secrets: string[];

  /** @param secrets literal secret values to mask wherever they appear. */
  constructor(secrets: Iterable<string> = []) {
    this.secrets = [...new Set([...secrets].filter((s) => s.length > 0))].sort(
      (a, b) => b.length - a.length,
    );
  }

  /** A redactor that also masks `more`. */
  with(more: Iterable<string>): Redactor {
    return new Redactor([...this.secrets, ...more]);
  }

  /** Masks secrets in a piece of text. */
  text(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join(MASK);
    return out
      .replace(SECRET_FLAG_TEXT, `$1$2${MASK}$2`)
      .replace(SECRET_PARAM, `$1${MASK}`)
      .replace(SECRET_JSON, `$1${MASK}"`)
      .replace(SECRET_PAIR, `$1${MASK}`);
  }

  /** Masks secrets in an argv: `--password x`, `--token=x`, `config set core.trust_password x`. */
  argv(argv: readonly string[]): string[] {
    return argv.map((arg, i) => {
      const previous = argv[i - 1] ?? '';
      if (/^--(?:password|token|secret)$/i.test(previous)) return MASK;
      if (i >= 2 && argv[i - 2] === 'set' && SECRET_KEY.test(previous)) return MASK;
      const flag = SECRET_FLAG.exec(arg)?.[1];
      if (flag?.endsWith('=')) return `${flag}${MASK}`;
      return this.text(arg);
    });
  }

  /**
   * A copy of an error with secrets masked in its message, stack and string fields (an execa
   * error's message holds the raw argv). Non-errors pass through {@link Redactor.text} when
   * they are strings, and unchanged otherwise.
   */
  error(error: unknown): unknown {
    if (typeof error === 'string') return this.text(error);
    if (!(error instanceof Error)) return error;
    const copy = new Error(this.text(error.message), { cause: this.error(error.cause) });
    copy.name = error.name;
    copy.stack = this.text(error.stack ?? '');
    for (const [key, value] of Object.entries(error)) {
      if (key === 'cause' || key === 'message' || key === 'stack') continue;
      const safe = redactField(value, this);
      if (safe !== undefined) Object.defineProperty(copy, key, { value: safe, enumerable: true });
    }
    return copy;
  }
}

// Keeps primitive fields (masked when text) and string arrays; drops objects such as streams.
function redactField(value: unknown, redactor: Redactor): unknown {
  if (typeof value === 'string') return redactor.text(value);
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return redactor.argv(value);
  return undefined;
}

const SECRET_FLAGS = new Set(['--password', '--token']);
const SECRET_PARAM = /([?&](?:secret|token|password)=)[^&\s"]*/gi;
const SECRET_JSON = /("(?:secret|password|trust_password|token)"\s*:\s*")(?:[^"\\]|\\.)*"/gi;

// Hides trust passwords, tokens and image secrets in one string.
export function redactText(text: string): string {
  return text.replace(SECRET_PARAM, '$1***').replace(SECRET_JSON, '$1***"');
}

/** Returns a copy of `argv` with trust passwords, tokens and image secrets replaced by `***`. */
export function redactArgv(argv: readonly string[]): string[] {
  return argv.map((arg, i) => {
    const previous = argv[i - 1];
    if (previous !== undefined && SECRET_FLAGS.has(previous)) return '***';
    const eq = /^(--(?:password|token)=)/.exec(arg);
    if (eq) return `${eq[1] ?? ''}***`;
    return redactText(arg);
  });
}

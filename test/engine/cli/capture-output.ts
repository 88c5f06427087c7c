/**
 * Runs a CLI command in this process and captures what it writes to stdout and stderr, so CLI
 * tests assert on the text and exit code without spawning a process per case.
 */
export async function captureOutput(
  run: () => Promise<number>,
): Promise<{ code: number; out: string; err: string }> {
  let out = '',
    err = '';
  const [o, e] = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    const code = await run();
    return { code, out, err };
  } finally {
    [process.stdout.write, process.stderr.write] = [o, e];
  }
}

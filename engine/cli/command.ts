/** One subcommand of `backprop-studio`. Each lives in its own file under commands/. */
export interface Command {
  name: string;
  /** One line for `--help`. */
  summary: string;
  /** Usage line(s) and options, printed by `backprop-studio <name> --help`. */
  usage: string;
  /** Returns the process exit code. Throwing a UsageError prints the message and usage. */
  run(args: string[]): Promise<number>;
}

/** A mistake in how the command was called (not a bug): printed without a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

import { commands as engineCommands } from './commands/index.js';
import { UsageError, type Command } from './command.js';
import { UserError, userMessage } from '../errors/user-error.js';

const HELP = (
  commands: readonly Command[],
) => `backprop-studio: build, train, understand and export neural networks

Usage: backprop-studio <command> [options]
       backprop-studio <command> --help

Commands:
${commands.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join('\n')}
`;

/**
 * Runs the command `argv` names. `more`: commands from outside the engine, added by the CLI's
 * entry (bin/backprop-studio.js adds the benchmark, bench/command.ts).
 */
export async function main(argv: string[], more: readonly Command[] = []): Promise<number> {
  const commands = [...engineCommands, ...more];
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP(commands));
    return name ? 0 : 1;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`backprop-studio: unknown command '${name}'\n\n${HELP(commands)}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${cmd.usage}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`backprop-studio ${name}: ${e.message}\n\n${cmd.usage}\n`);
      return 2;
    }
    if (e instanceof UserError) {
      process.stderr.write(`backprop-studio ${name}: ${e.message}\n`);
      return 1;
    }
    // A bug, not the user's mistake: one line in words, no stack trace (BACKPROP_STUDIO_DEBUG=1 shows it).
    if (process.env.BACKPROP_STUDIO_DEBUG) throw e;
    process.stderr.write(
      `backprop-studio ${name}: internal error: ${userMessage(e)}. Please report it with the command you ran.\n`,
    );
    return 70;
  }
}

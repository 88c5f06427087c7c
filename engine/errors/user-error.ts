/**
 * Errors in the user's words. Every message a person can see (the CLI's stderr, the editor's
 * notifications, the run panel, the Problems panel) says what happened, where (file, node,
 * setting) and what to do, and never carries a raw Node error code (ENOENT…), a stack trace or a
 * path inside the extension's own installation. This module is the one place that turns an
 * error into such a text; it reads error objects only (no Node import), so the engine, the CLI,
 * the worker and the extension share it.
 */

/** An error whose message is already written for the user (shown as is, never wrapped). */
export class UserError extends Error {
  /** `cause`: the error it puts in words (kept so callers can still tell a missing file apart). */
  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'UserError';
  }
}

/**
 * The `code` of a Node system error (ENOENT…) or of VS Code's FileSystemError (FileNotFound…),
 * looking through a UserError to the error it words.
 */
function errorCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return e instanceof UserError ? errorCode(e.cause) : undefined;
}

/** Why a file operation failed, in words, by error code; null when `e` is not a file-system error. */
function fileReason(e: unknown): string | null {
  switch (errorCode(e)) {
    case 'ENOENT':
    case 'FileNotFound':
      return 'does not exist';
    case 'EACCES':
    case 'EPERM':
    case 'NoPermissions':
      return 'is not accessible (permission denied)';
    case 'EISDIR':
    case 'FileIsADirectory':
      return 'is a folder, not a file';
    case 'ENOTDIR':
    case 'FileNotADirectory':
      return 'is inside something that is not a folder';
    case 'EEXIST':
    case 'FileExists':
      return 'already exists';
    case 'ENOSPC':
      return 'cannot be written: the disk is full';
    case 'EROFS':
      return 'is on a read-only file system';
    case 'EMFILE':
    case 'ENFILE':
      return 'cannot be opened: too many files are open';
    case 'EBUSY':
      return 'is in use by another program';
    case 'ENAMETOOLONG':
      return 'has a name that is too long';
    case 'Unavailable':
      return 'is unavailable right now';
    default:
      return null;
  }
}

/** What to do about a file-system failure, by error code. */
function fileAdvice(e: unknown, action: FileAction): string {
  switch (errorCode(e)) {
    case 'ENOENT':
    case 'FileNotFound':
      return action === 'write' ? 'Check that its folder exists.' : 'Check the name and the folder.';
    case 'EACCES':
    case 'EPERM':
    case 'NoPermissions':
      return `Check the file's permissions.`;
    case 'EISDIR':
    case 'FileIsADirectory':
      return 'Give the path of a file.';
    case 'EEXIST':
    case 'FileExists':
      return 'Move or rename it first.';
    case 'ENOSPC':
      return 'Free some space and try again.';
    default:
      return 'Try again.';
  }
}

export type FileAction = 'read' | 'write';

/**
 * A failed read or write of `shown` (the path as the user gave it, or relative to their folder)
 * as one sentence with what to do, or null when `e` is not a file-system error.
 */
export function fileErrorText(e: unknown, shown: string, action: FileAction = 'read'): string | null {
  const problem = fileProblem(e, action);
  if (problem === null) return null;
  const what = action === 'write' ? `Could not write ${shown}: it` : `${shown}`;
  return `${what} ${problem.reason}. ${problem.advice}`;
}

/** A file-system failure as its reason ("does not exist") and advice, or null for other errors. */
export function fileProblem(
  e: unknown,
  action: FileAction = 'read',
): { reason: string; advice: string } | null {
  const reason = fileReason(e);
  return reason === null ? null : { reason, advice: fileAdvice(e, action) };
}

/** The pattern of what a user must never see: raw error codes, stack frames, `file://` URLs. */
export const LEAK_PATTERNS: readonly RegExp[] = [
  /\bE(NOENT|ACCES|PERM|ISDIR|NOTDIR|EXIST|NOSPC|ROFS|MFILE|NFILE|BUSY|NAMETOOLONG|CONNRESET|PIPE)\b/,
  /\n\s+at .+\(.+:\d+:\d+\)/,
  /^\s*at .+:\d+:\d+\)?$/m,
  /file:\/\//,
];

/**
 * Any error as text a user can read: a UserError's own message; a file-system error in words
 * (naming `shown`, else the file in the error, by its base name); anything else (a bug) by its
 * message alone, first line only, with any absolute path cut to its base name and any stack
 * trace dropped.
 */
export function userMessage(e: unknown, shown?: string): string {
  if (e instanceof UserError) return e.message;
  const pathOf = (e as { path?: unknown } | null)?.path;
  const file = shown ?? (typeof pathOf === 'string' ? baseName(pathOf) : undefined);
  const words = fileErrorText(e, file ?? 'the file');
  if (words !== null) return words;
  const message = e instanceof Error ? e.message : String(e);
  return withoutInternals(message);
}

/**
 * A message from code we don't control (a Node or VS Code error), cleaned: the first line of
 * each paragraph without stack frames, `CODE: ` prefixes and absolute paths (replaced by their
 * base names).
 */
export function withoutInternals(message: string): string {
  return message
    .split('\n')
    .filter((line) => !/^\s*at\s/.test(line))
    .join('\n')
    .replace(/\b(E[A-Z]{3,}):\s*/g, '')
    .replace(/(?<![\w.])(?:file:\/\/)?(?:\/[^\s'",:()/]+){2,}/g, (path) => baseName(path))
    .replace(/(?<![\w.])[A-Za-z]:(?:\\[^\s'",:()\\]+)+/g, (path) => baseName(path))
    .trim();
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

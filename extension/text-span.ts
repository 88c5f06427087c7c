/** The part of a text an edit really changes, so one WorkspaceEdit touches only that span. */
/**
 * The smallest [start, end) span of `before` whose replacement turns it into `after`.
 * (Replacing the whole text would move the cursor in text editors open on the file.)
 */
export function changedSpan(
  before: string,
  after: string,
): { start: number; endBefore: number; endAfter: number } {
  let start = 0;
  const min = Math.min(before.length, after.length);
  while (start < min && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (
    endBefore > start &&
    endAfter > start &&
    before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)
  ) {
    endBefore--;
    endAfter--;
  }
  return { start, endBefore, endAfter };
}

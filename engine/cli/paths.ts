/** File-name conventions shared by the commands. */

/** `<dir>/<name>.nngraph.json` → `<dir>/<name>.weights.json` (a weights file lives beside its graph). */
export function weightsPathFor(graphPath: string): string {
  const stem = graphPath.replace(/\.nngraph\.json$/i, '').replace(/\.json$/i, '');
  return `${stem}.weights.json`;
}

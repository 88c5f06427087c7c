/** The error compileGraph and applyWeights throw: the document's problems as diagnostics. */
import type { Diagnostic } from './document.js';

/** A document that cannot be compiled, with the diagnostics that say why. */
export class GraphError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(
      diagnostics.length === 1
        ? diagnostics[0]!.message
        : `${diagnostics.length} problems:\n${diagnostics.map((d) => `  ${d.message}`).join('\n')}`,
    );
    this.name = 'GraphError';
  }
}

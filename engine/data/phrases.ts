/**
 * Phrases: a small text set written for Backprop Studio (MIT, like the rest of the project), for
 * embeddings. Every phrase of a little grammar,
 *   the <thing> <was|is> [not|very|really] <adjective>
 * labelled positive or negative: the adjective's sentiment, flipped by "not". Each phrase is six
 * word indices (w1..w6, padded with 0, which is "<pad>"), so a model must tell the words apart by
 * their rows in an embedding table, and "not" apart by where it stands.
 */
import { Tensor } from '../tensor/tensor.js';
import type { Dataset } from './dataset.js';

const THINGS = ['film', 'food', 'room', 'service', 'music', 'staff'] as const;
const VERBS = ['was', 'is'] as const;
const MODIFIERS = ['', 'not', 'very', 'really'] as const;
const POSITIVE = ['good', 'great', 'fine', 'lovely'] as const;
const NEGATIVE = ['bad', 'awful', 'boring', 'poor'] as const;

/** The words, index = row of an embedding table; 0 pads a short phrase. */
export const PHRASE_VOCABULARY: readonly string[] = [
  '<pad>',
  'the',
  ...THINGS,
  ...VERBS,
  ...MODIFIERS.filter(Boolean),
  ...POSITIVE,
  ...NEGATIVE,
];
export const PHRASE_LENGTH = 6;
export const PHRASE_FEATURES: readonly string[] = Array.from(
  { length: PHRASE_LENGTH },
  (_, i) => `w${i + 1}`,
);
export const PHRASE_CLASSES = ['negative', 'positive'] as const;

/** Every phrase of the grammar with its label (1: positive), in a fixed order. */
export function phrases(): { words: string[]; positive: boolean }[] {
  const out: { words: string[]; positive: boolean }[] = [];
  for (const thing of THINGS)
    for (const verb of VERBS)
      for (const modifier of MODIFIERS)
        for (const adjective of [...POSITIVE, ...NEGATIVE]) {
          const good = (POSITIVE as readonly string[]).includes(adjective);
          out.push({
            words: ['the', thing, verb, ...(modifier ? [modifier] : []), adjective],
            positive: modifier === 'not' ? !good : good,
          });
        }
  return out;
}

export function phrasesDataset(): Dataset {
  const all = phrases();
  const x = Tensor.zeros([all.length, PHRASE_LENGTH], 'float64');
  const y = Tensor.zeros([all.length], 'float64');
  all.forEach((p, i) => {
    p.words.forEach((w, j) => (x.data[i * PHRASE_LENGTH + j] = PHRASE_VOCABULARY.indexOf(w)));
    y.data[i] = p.positive ? 1 : 0;
  });
  return {
    name: `Phrases: ${all.length} short phrases, ${PHRASE_LENGTH} word indices each (${PHRASE_VOCABULARY.length} words) → negative or positive`,
    task: 'classification',
    x,
    y,
    classes: 2,
    classNames: PHRASE_CLASSES.slice(),
    featureNames: PHRASE_FEATURES.slice(),
    notes: [
      `words are whole-number indices into: ${PHRASE_VOCABULARY.map((w, i) => `${i} ${w}`).join(', ')}`,
    ],
  };
}

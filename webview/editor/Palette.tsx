/**
 * The op palette, grouped by category and searchable. Drag an op onto the canvas to add it there,
 * or press Enter / click on it to add it at the centre of the view (the keyboard path).
 */
import React from 'react';
import { CATEGORY_ORDER, CATEGORY_TITLES, searchOps, type OpInfo } from '../op-catalog.js';
import { TextInput } from '../ui/controls.js';

/** The drag-and-drop payload type for an op name. */
export const OP_DRAG_TYPE = 'application/x-backprop-studio-op';

export function Palette(props: { onAdd: (op: OpInfo) => void }): React.JSX.Element {
  const [query, setQuery] = React.useState('');
  const ops = searchOps(query);
  return (
    <nav className="palette" data-testid="palette" aria-label="Operations">
      <TextInput label="" value={query} placeholder="Search ops" onInput={setQuery} testId="palette-search" />
      {CATEGORY_ORDER.map((category) => {
        const inCategory = ops.filter((o) => o.category === category);
        if (inCategory.length === 0) return null;
        return (
          <section key={category}>
            <h3>{CATEGORY_TITLES[category]}</h3>
            <ul>
              {inCategory.map((op) => (
                <li key={op.name}>
                  <button
                    className="palette-op"
                    draggable
                    data-op={op.name}
                    title={`${op.doc}\nDrag onto the canvas, or press Enter to add.`}
                    onDragStart={(e) => {
                      e.dataTransfer.setData(OP_DRAG_TYPE, op.name);
                      e.dataTransfer.effectAllowed = 'copy';
                    }}
                    onClick={() => props.onAdd(op)}
                  >
                    {op.name}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
      {ops.length === 0 ? <p className="hint">No op matches “{query}”.</p> : null}
    </nav>
  );
}

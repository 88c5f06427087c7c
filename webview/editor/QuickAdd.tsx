/**
 * Search-and-add: opened by double-clicking the canvas (adds where you clicked) or by pressing "A"
 * (adds at the centre). Type to filter, ↑/↓ to choose, Enter to add, Escape to close.
 */
import React from 'react';
import { searchOps, type OpInfo } from '../op-catalog.js';

export function QuickAdd(props: {
  at: { left: number; top: number };
  onPick: (op: OpInfo) => void;
  onClose: () => void;
}): React.JSX.Element {
  const [query, setQuery] = React.useState('');
  const [active, setActive] = React.useState(0);
  const ops = searchOps(query).slice(0, 12);
  const input = React.useRef<HTMLInputElement>(null);
  React.useEffect(() => input.current?.focus(), []);
  const pick = (op: OpInfo | undefined) => {
    if (op) props.onPick(op);
    props.onClose();
  };
  return (
    <div className="quick-add" style={{ left: props.at.left, top: props.at.top }} data-testid="quick-add">
      <input
        ref={input}
        value={query}
        placeholder="Add an op…"
        aria-label="Search ops to add"
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onBlur={props.onClose}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Escape') props.onClose();
          else if (e.key === 'Enter') pick(ops[active]);
          else if (e.key === 'ArrowDown') setActive((a) => Math.min(a + 1, ops.length - 1));
          else if (e.key === 'ArrowUp') setActive((a) => Math.max(a - 1, 0));
          else return;
          e.preventDefault();
        }}
      />
      <ul role="listbox">
        {ops.map((op, i) => (
          <li
            key={op.name}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'active' : undefined}
            onMouseDown={(e) => {
              e.preventDefault();
              pick(op);
            }}
          >
            <span className="op-name">{op.name}</span> <span className="muted">{op.category}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Identifiers in generated code: node ids sanitised to TypeScript identifiers, kept unique and
 * clear of reserved words and of the names the generated module itself uses.
 */

const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false ' +
    'finally for function if import in instanceof new null return super switch this throw true try ' +
    'typeof var void while with as implements interface let package private protected public static ' +
    'yield any boolean number string symbol type from of await async constructor declare get set ' +
    'module namespace require undefined NaN Infinity Math Float64Array Array Object JSON Error Number'
  ).split(' '),
);

/** A TypeScript identifier as close to `raw` as possible (invalid characters become '_'). */
export function toIdentifier(raw: string): string {
  let id = raw.replace(/[^A-Za-z0-9_$]/g, '_');
  if (id === '' || /^[0-9]/.test(id)) id = `_${id}`;
  return id;
}

/** `h1` → `H1`, `hidden_1` → `Hidden_1`: for `dH1`, `H1Grad`-style derived names. */
export function capitalise(id: string): string {
  return id.charAt(0).toUpperCase() + id.slice(1);
}

/** Hands out unique identifiers; `reserve` names the module uses so nodes can't take them. */
export class Namer {
  private readonly taken = new Set<string>(RESERVED);

  reserve(...names: string[]): void {
    for (const n of names) this.taken.add(n);
  }

  /** `base` if free, else `base_2`, `base_3`, … */
  unique(base: string): string {
    let name = toIdentifier(base);
    if (this.taken.has(name)) {
      let k = 2;
      while (this.taken.has(`${name}_${k}`)) k++;
      name = `${name}_${k}`;
    }
    this.taken.add(name);
    return name;
  }
}

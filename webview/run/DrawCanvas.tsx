/**
 * A canvas that fills its box at the screen's pixel density and redraws when its size, the VS Code
 * theme, or the `draw` function (memoised by the caller on its data) changes. Colours come from the
 * theme's CSS variables, read at draw time, so charts follow dark, light and high-contrast themes.
 */
import React from 'react';
import type { ChartTheme } from './chart.js';

export interface Palette extends ChartTheme {
  /** Series colours (VS Code's chart colours). */
  blue: string;
  orange: string;
  green: string;
  red: string;
  purple: string;
  yellow: string;
  background: string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  return style.getPropertyValue(name).trim() || fallback;
}

export function readPalette(el: Element): Palette {
  const s = getComputedStyle(el);
  const foreground = cssVar(s, '--vscode-editor-foreground', '#cccccc');
  return {
    foreground,
    muted: cssVar(s, '--vscode-descriptionForeground', '#999999'),
    grid: cssVar(s, '--vscode-editorIndentGuide-background', 'rgba(128, 128, 128, 0.25)'),
    font: `11px ${cssVar(s, '--vscode-font-family', 'sans-serif')}`,
    background: cssVar(s, '--vscode-editor-background', '#1f1f1f'),
    blue: cssVar(s, '--vscode-charts-blue', '#3794ff'),
    orange: cssVar(s, '--vscode-charts-orange', '#d18616'),
    green: cssVar(s, '--vscode-charts-green', '#89d185'),
    red: cssVar(s, '--vscode-charts-red', '#f14c4c'),
    purple: cssVar(s, '--vscode-charts-purple', '#b180d7'),
    yellow: cssVar(s, '--vscode-charts-yellow', '#cca700'),
  };
}

export type Draw = (ctx: CanvasRenderingContext2D, width: number, height: number, palette: Palette) => void;

/** Bumps when VS Code switches theme (it sets body's class and style). */
function useThemeVersion(): number {
  const [version, setVersion] = React.useState(0);
  React.useEffect(() => {
    const o = new MutationObserver(() => setVersion((v) => v + 1));
    o.observe(document.body, { attributes: true, attributeFilter: ['class', 'style'] });
    return () => o.disconnect();
  }, []);
  return version;
}

export function DrawCanvas(props: {
  draw: Draw;
  testId: string;
  className?: string;
  /** Extra attributes for tests and assistive tech (e.g. data-points). */
  attrs?: Record<string, string | number>;
  label: string;
}): React.JSX.Element {
  const box = React.useRef<HTMLDivElement>(null);
  const canvas = React.useRef<HTMLCanvasElement>(null);
  const [size, setSize] = React.useState({ width: 0, height: 0 });
  const theme = useThemeVersion();

  React.useEffect(() => {
    const el = box.current;
    if (!el) return;
    const o = new ResizeObserver(([e]) => {
      const r = e!.contentRect;
      setSize((s) =>
        s.width === Math.floor(r.width) && s.height === Math.floor(r.height)
          ? s
          : { width: Math.floor(r.width), height: Math.floor(r.height) },
      );
    });
    o.observe(el);
    return () => o.disconnect();
  }, []);

  React.useEffect(() => {
    const c = canvas.current;
    if (!c || size.width === 0 || size.height === 0) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(size.width * dpr);
    c.height = Math.round(size.height * dpr);
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    props.draw(ctx, size.width, size.height, readPalette(c));
  }, [props.draw, size, theme]);

  return (
    <div ref={box} className={`draw-canvas ${props.className ?? ''}`}>
      <canvas
        ref={canvas}
        role="img"
        aria-label={props.label}
        data-testid={props.testId}
        style={{ width: size.width, height: size.height }}
        {...Object.fromEntries(Object.entries(props.attrs ?? {}).map(([k, v]) => [`data-${k}`, String(v)]))}
      />
    </div>
  );
}

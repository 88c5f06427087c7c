/** A small picture from RGBA bytes (webview/run/image-pixels.ts), for the Images tab and the nodes. */
import React from 'react';
import type { Rgba } from './image-pixels.js';

/** A width × height picture, drawn pixel for pixel and scaled up without smoothing. */
export function Picture(props: {
  rgba: Rgba;
  width: number;
  height: number;
  scale: number;
  title?: string;
  testId?: string;
  className?: string;
  onClick?: () => void;
  data?: Record<string, string | number>;
}): React.JSX.Element {
  const canvas = React.useRef<HTMLCanvasElement>(null);
  const { rgba, width, height } = props;
  React.useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
  }, [rgba, width, height]);
  return (
    <canvas
      ref={canvas}
      width={width}
      height={height}
      className={`picture ${props.className ?? ''}`}
      style={{ width: width * props.scale, height: height * props.scale }}
      title={props.title}
      data-testid={props.testId}
      onClick={props.onClick}
      {...Object.fromEntries(Object.entries(props.data ?? {}).map(([k, v]) => [`data-${k}`, String(v)]))}
    />
  );
}

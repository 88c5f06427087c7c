/**
 * The graph editor's HTML page: one script and one stylesheet from dist/, a strict
 * Content-Security-Policy (nothing but our own files; the script only with this page's nonce).
 * Pure so that the headless webview test serves exactly the page VS Code shows.
 */
export interface WebviewPage {
  scriptUri: string;
  styleUri: string;
  /** `webview.cspSource`: the origin our local resources are served from. */
  cspSource: string;
  nonce: string;
  title: string;
}

export function webviewHtml(p: WebviewPage): string {
  const csp = [
    "default-src 'none'",
    `img-src ${p.cspSource} data:`,
    `font-src ${p.cspSource}`,
    // React sets element styles through the DOM API, which style-src does not restrict; the toolkit
    // (FAST) adds its few <style> elements with the nonce it reads from the csp-nonce meta tag.
    `style-src ${p.cspSource} 'nonce-${p.nonce}'`,
    `script-src 'nonce-${p.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta property="csp-nonce" content="${p.nonce}">
<link rel="stylesheet" href="${p.styleUri}" nonce="${p.nonce}">
<title>${escapeHtml(p.title)}</title>
</head>
<body>
<div id="root"></div>
<script nonce="${p.nonce}" src="${p.scriptUri}"></script>
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

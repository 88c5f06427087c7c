/** The webview bundle's entry point (dist/webview.js + dist/webview.css). */
import 'reactflow/dist/style.css';
import './styles.css';
import React from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { createHostChannel, type VsCodeApi } from './host.js';

declare function acquireVsCodeApi(): VsCodeApi;

// VS Code allows one acquireVsCodeApi() per page: here, once, and handed down from App.
const host = createHostChannel(acquireVsCodeApi());

createRoot(document.getElementById('root')!).render(
  <React.StrictMode>
    <App host={host} />
  </React.StrictMode>,
);

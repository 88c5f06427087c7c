/** The webview bundle's entry point (dist/webview.js + dist/webview.css). */
import 'reactflow/dist/style.css';
import './styles.css';
import React from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';

createRoot(document.getElementById('root')!).render(
  <React.StrictMode>
    <App />
  </React.StrictMode>,
);

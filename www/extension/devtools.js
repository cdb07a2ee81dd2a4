// Adds the "JWT" panel to DevTools. The panel page (panel.html) does the work; this page only
// exists because DevTools extensions are declared through one (manifest "devtools_page").
const extension = globalThis.browser ?? globalThis.chrome;

extension.devtools.panels.create('JWT', '/extension/icons/icon-32.png', '/extension/panel.html');

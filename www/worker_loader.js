// Starts the engine worker: Trunk builds `worker.js` (no-modules) and `worker_bg.wasm`;
// both are fetched relative to this script, so the site works under any sub-path.
importScripts('./worker.js');
wasm_bindgen({ module_or_path: './worker_bg.wasm' });

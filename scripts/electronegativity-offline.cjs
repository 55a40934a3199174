// Electronegativity fetches translations from the internet at every start (got, 1 s timeout).
// RepDesk's machines have no such network and must not try: this preload answers the fetch with
// an immediate failure, and the tool then uses its bundled English texts.
const Module = require('node:module');
const load = Module._load;
Module._load = function loadWithoutNetwork(request, ...rest) {
  if (request === 'got') return () => Promise.reject(new Error('offline: no network fetch from Electronegativity'));
  return load.call(this, request, ...rest);
};

/**
 * The main window's options as data: every security flag, the preload, and the remembered
 * size and position checked against the displays present.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { OPERATION_NAMES } from '../../../shared/contract.js';
import { OPERATIONS_ARGUMENT } from '../../../shared/desktop.js';
import { DEFAULT_WINDOW_STATE, MINIMUM_WIDTH, appUrl, formatWindowState, mainWindowOptions, parseWindowState } from '../../../main/electron/window.js';

const options = mainWindowOptions('/app/dist/main/electron/preload/preload.js', DEFAULT_WINDOW_STATE, OPERATION_NAMES);
const preferences = options.webPreferences ?? {};

test('the page is isolated and sandboxed, with no Node and web security on', () => {
  assert.equal(preferences.contextIsolation, true);
  assert.equal(preferences.sandbox, true);
  assert.equal(preferences.nodeIntegration, false);
  assert.equal(preferences.nodeIntegrationInWorker, false);
  assert.equal(preferences.nodeIntegrationInSubFrames, false);
  assert.equal(preferences.webSecurity, true);
  assert.equal(preferences.allowRunningInsecureContent, false);
  assert.equal(preferences.experimentalFeatures, false);
  assert.equal(preferences.webviewTag, false);
  assert.equal(preferences.navigateOnDragDrop, false);
});

test('there is no remote module and nothing enables Blink features', () => {
  assert.ok(!('enableRemoteModule' in preferences));
  const manifest = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as Record<string, Record<string, string> | undefined>;
  assert.ok(!('@electron/remote' in { ...manifest.dependencies, ...manifest.devDependencies }));
  assert.equal(preferences.enableBlinkFeatures, undefined);
  assert.equal(preferences.disableBlinkFeatures, 'Auxclick');
});

test('the preload is ours and receives exactly the contract operation names', () => {
  assert.equal(preferences.preload, '/app/dist/main/electron/preload/preload.js');
  assert.deepEqual(preferences.additionalArguments, [`${OPERATIONS_ARGUMENT}${OPERATION_NAMES.join(',')}`]);
});

test('the shell builds its only window from these options', () => {
  const source = readFileSync(new URL('../../../../main/electron/main.ts', import.meta.url), 'utf8');
  const constructions = [...source.matchAll(/new BrowserWindow\(([^;]*)\);/g)].map((match) => match[1]);
  assert.equal(constructions.length, 1);
  assert.match(constructions[0], /^mainWindowOptions\(PRELOAD_PATH, /);
});

test('the app URL is a file URL of the built page', () => {
  assert.equal(appUrl('/opt/RepDesk/resources/app.asar/dist/renderer/index.html'), 'file:///opt/RepDesk/resources/app.asar/dist/renderer/index.html');
});

const screen = [{ x: 0, y: 0, width: 1920, height: 1040 }];

test('a remembered state on a present display is restored', () => {
  const text = formatWindowState({ x: 100, y: 80, width: 1400, height: 900 }, true);
  assert.deepEqual(parseWindowState(text, screen), { x: 100, y: 80, width: 1400, height: 900, isMaximized: true });
});

test('a position off every display (a monitor unplugged) keeps the size and drops the position', () => {
  const text = formatWindowState({ x: 2500, y: 100, width: 1000, height: 700 }, false);
  assert.deepEqual(parseWindowState(text, screen), { x: undefined, y: undefined, width: 1000, height: 700, isMaximized: false });
});

test('a missing, broken or hostile state file gives the default, and tiny sizes are raised to the minimum', () => {
  assert.deepEqual(parseWindowState(null, screen), DEFAULT_WINDOW_STATE);
  assert.deepEqual(parseWindowState('{"width":', screen), DEFAULT_WINDOW_STATE);
  assert.deepEqual(parseWindowState('{"width":"1e9","height":2}', screen), DEFAULT_WINDOW_STATE);
  assert.equal(parseWindowState('{"width":10,"height":10}', screen).width, MINIMUM_WIDTH);
});

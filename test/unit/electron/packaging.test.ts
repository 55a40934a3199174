/**
 * The packaging configuration, read and validated by electron-builder's own loader and schema
 * (the modules electron-builder itself uses), then checked for what the desktop app needs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const fromBuilder = createRequire(createRequire(import.meta.url).resolve('electron-builder'));
const { validateConfiguration } = fromBuilder('app-builder-lib/out/util/config/config.js') as { validateConfiguration(config: unknown, logger: unknown): Promise<void> };
const { DebugLogger } = fromBuilder('builder-util') as { DebugLogger: new (isEnabled: boolean) => unknown };
const yaml = fromBuilder('js-yaml') as { load(text: string): unknown };

interface BuilderConfig {
  readonly files: string[];
  readonly asar: boolean;
  readonly asarUnpack: string[];
  readonly electronFuses: Record<string, boolean>;
  readonly linux: { target: string[] };
  readonly win: { target: string };
  readonly mac: { target: string };
}

const config = yaml.load(readFileSync(new URL('../../../../electron-builder.yml', import.meta.url), 'utf8')) as BuilderConfig;

test('electron-builder accepts the configuration', async () => {
  await validateConfiguration(config, new DebugLogger(false));
  await assert.rejects(validateConfiguration({ ...config, electronFuses: { runAsNod: false } }, new DebugLogger(false)), /electronFuses/);
});

test('installers for Linux (AppImage, deb), Windows (NSIS) and macOS (dmg)', () => {
  assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
  assert.equal(config.win.target, 'nsis');
  assert.equal(config.mac.target, 'dmg');
});

test('the app is an asar with better-sqlite3 unpacked from it', () => {
  assert.equal(config.asar, true);
  assert.ok(config.asarUnpack.includes('node_modules/better-sqlite3/**'));
  assert.ok(config.files.includes('dist/main/**') && config.files.includes('dist/renderer/**') && config.files.includes('!dist/test/**'));
});

test('the fuses close Node entry points and lock the app to its checked asar', () => {
  assert.equal(config.electronFuses.runAsNode, false);
  assert.equal(config.electronFuses.enableNodeOptionsEnvironmentVariable, false);
  assert.equal(config.electronFuses.enableNodeCliInspectArguments, false);
  assert.equal(config.electronFuses.onlyLoadAppFromAsar, true);
  assert.equal(config.electronFuses.enableEmbeddedAsarIntegrityValidation, true);
  assert.equal(config.electronFuses.enableCookieEncryption, true);
});

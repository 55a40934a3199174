/**
 * The main window as data: its options (every security flag), the app page's URL, and the
 * remembered size and position (a small JSON file in the user-data folder).
 */
import type { BrowserWindowConstructorOptions, Rectangle } from 'electron';
import { pathToFileURL } from 'node:url';
import { OPERATIONS_ARGUMENT } from '../../shared/desktop.js';

/** Where the main window is and whether it was maximised. */
export interface WindowState {
  readonly x: number | undefined;
  readonly y: number | undefined;
  readonly width: number;
  readonly height: number;
  readonly isMaximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { x: undefined, y: undefined, width: 1280, height: 820, isMaximized: false };
export const MINIMUM_WIDTH = 800;
export const MINIMUM_HEIGHT = 560;

/**
 * The options of the main window: isolated, sandboxed, no Node in the page, our preload only,
 * which receives the contract's operation names as an argument.
 */
export function mainWindowOptions(preloadPath: string, state: WindowState, operationNames: readonly string[]): BrowserWindowConstructorOptions {
  return {
    title: 'RepDesk',
    x: state.x,
    y: state.y,
    width: state.width,
    height: state.height,
    minWidth: MINIMUM_WIDTH,
    minHeight: MINIMUM_HEIGHT,
    // Shown once the page has painted, so the user never sees an empty white window.
    show: false,
    webPreferences: {
      preload: preloadPath,
      additionalArguments: [`${OPERATIONS_ARGUMENT}${operationNames.join(',')}`],
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      // Middle-click opens links in new windows; the window-open handler denies them, this removes the event too.
      disableBlinkFeatures: 'Auxclick',
      safeDialogs: true,
      spellcheck: false,
    },
  };
}

/** The file:// URL of the built UI's page. */
export function appUrl(rendererIndexPath: string): string {
  return pathToFileURL(rendererIndexPath).href;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Whether at least a 100 x 50 corner of the window's title bar area lies on one of the displays. */
function isVisibleOn(bounds: Rectangle, workAreas: readonly Rectangle[]): boolean {
  return workAreas.some((area) => {
    const left = Math.max(bounds.x, area.x);
    const right = Math.min(bounds.x + bounds.width, area.x + area.width);
    const top = Math.max(bounds.y, area.y);
    const bottom = Math.min(bounds.y + 50, area.y + area.height);
    return right - left >= 100 && bottom - top >= 50;
  });
}

/**
 * The remembered window state from its JSON text, checked against the displays present now:
 * a position that would put the window off every screen (a monitor unplugged) is dropped, and
 * anything unreadable gives the default.
 */
export function parseWindowState(text: string | null, workAreas: readonly Rectangle[]): WindowState {
  if (text === null) return DEFAULT_WINDOW_STATE;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return DEFAULT_WINDOW_STATE;
  }
  if (typeof value !== 'object' || value === null) return DEFAULT_WINDOW_STATE;
  const record = value as Record<string, unknown>;
  if (!isFiniteNumber(record.width) || !isFiniteNumber(record.height)) return DEFAULT_WINDOW_STATE;
  const width = Math.max(MINIMUM_WIDTH, Math.round(record.width));
  const height = Math.max(MINIMUM_HEIGHT, Math.round(record.height));
  const isMaximized = record.isMaximized === true;
  if (!isFiniteNumber(record.x) || !isFiniteNumber(record.y)) return { x: undefined, y: undefined, width, height, isMaximized };
  const x = Math.round(record.x);
  const y = Math.round(record.y);
  if (!isVisibleOn({ x, y, width, height }, workAreas)) return { x: undefined, y: undefined, width, height, isMaximized };
  return { x, y, width, height, isMaximized };
}

/** The JSON text to remember: the normal (not maximised) bounds, and whether it was maximised. */
export function formatWindowState(normalBounds: Rectangle, isMaximized: boolean): string {
  const state: WindowState = { x: normalBounds.x, y: normalBounds.y, width: normalBounds.width, height: normalBounds.height, isMaximized };
  return `${JSON.stringify(state)}\n`;
}

/**
 * The desktop app's connection as the page sees it: on this computer, or a team server (which,
 * who, reachable or not). Only the desktop bridge offers it; in browser mode there is none and
 * nothing here shows.
 */
import { createContext, useContext } from 'react';
import type { ConnectionState, DesktopBridge } from '../../shared/desktop.js';

/** The bridge when it offers the connection's calls (the desktop app), else null. */
export function connectionBridge(bridge: DesktopBridge | undefined): DesktopBridge | null {
  return bridge && typeof bridge.connectionState === 'function' && typeof bridge.onConnection === 'function' ? bridge : null;
}

export interface ConnectionControl {
  readonly state: ConnectionState;
  readonly bridge: DesktopBridge;
  /** Show the choice again: another server, or this computer. */
  startSwitch(): void;
}

export const ConnectionContext = createContext<ConnectionControl | null>(null);

/** The desktop's connection, or null in browser mode. */
export function useConnection(): ConnectionControl | null {
  return useContext(ConnectionContext);
}

/** `https://repdesk.example.net:8443` as `repdesk.example.net:8443`: the part people recognise. */
export function serverName(origin: string): string {
  return origin.replace(/^https:\/\//, '');
}

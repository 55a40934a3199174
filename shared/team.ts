/**
 * People and sign-in: the types and schemas shared by the core, the transports and the UI
 * (accounts, enrolment, sessions, the publisher key registry).
 */

/**
 * The client a call came through: the desktop app, a browser, the command line, or the server
 * itself doing its own work (start-up checks, scheduled work). Recorded with every history event.
 */
export const CLIENTS = ['desktop', 'browser', 'cli', 'server'] as const;
export type ClientKind = (typeof CLIENTS)[number];

/** Where an event's call came from, as views and the CLI print it: `browser from 81.2.3.4`, `cli`, or '' when not recorded. */
export function describeOrigin(origin: { readonly client: ClientKind | null; readonly address: string | null }): string {
  if (origin.client === null && origin.address === null) return '';
  return [origin.client ?? 'unknown client', origin.address === null ? null : `from ${origin.address}`].filter((part) => part !== null).join(' ');
}

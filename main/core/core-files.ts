/**
 * Files named by their place beside the compiled core (dist/main/core): the scripts worker
 * threads run, the app's built UI, the `repdesk` command. Named from here rather than from each
 * caller's own module URL, so that they resolve the same when the command line runs bundled
 * (dist/cli/, built by scripts/bundle-cli.js), where every module shares the bundle's URL: the
 * bundle defines REPDESK_BUNDLED_CORE as the compiled core's folder relative to itself.
 */
declare const REPDESK_BUNDLED_CORE: string | undefined;

const CORE_FOLDER = typeof REPDESK_BUNDLED_CORE === 'string' ? new URL(REPDESK_BUNDLED_CORE, import.meta.url) : new URL('./', import.meta.url);

/** The URL of `path`, relative to the compiled core's folder (e.g. `./lookup/index-worker.js`). */
export function coreFileUrl(path: string): URL {
  return new URL(path, CORE_FOLDER);
}

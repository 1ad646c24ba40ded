// What a page does when the service worker that controls it is not the version it was built as
// (pure, so it is unit-tested; src/pwa/register.ts asks the worker and acts), and the build id.
//
// It happens when a new version takes over just after the page loaded: the update's last-resort
// reload (register.ts) is served by the old worker, which was the last thing holding the new one
// back, so the new version activates and claims a page of the old one before that page's scripts
// have looked for a waiting worker. The fresh-clone CI caught exactly this: after Reload the page
// stayed on the old build, nothing waiting, no prompt.

/** This build's id (package version, or HEARTH_BUILD_ID at build time); the page, its store and
 * the service worker all read it here. */
export const BUILD_ID = typeof __HEARTH_BUILD_ID__ !== 'undefined' ? __HEARTH_BUILD_ID__ : 'dev';

export type MismatchAction = 'none' | 'reload' | 'offer';

export interface ControllerState {
  /** This page's build id (`__HEARTH_BUILD_ID__`). */
  pageBuild: string;
  /** The controlling worker's build id, or null if it did not say (none, or too old to answer). */
  workerBuild: string | null;
  /** A new version is installed and waiting (the 'waiting' event handles that case). */
  waiting: boolean;
  /** The user asked for the update and it has not applied yet (register.ts's sessionStorage note). */
  asked: boolean;
}

/**
 * `reload` when the user asked for the new version and it now controls this old page; `offer` when
 * it took over without this page asking (another tab, or an ask that expired): say so, reload on
 * the user's word; `none` when the page runs the controlling version or nothing can be told.
 */
export function onControllerState(s: ControllerState): MismatchAction {
  if (s.waiting || s.workerBuild === null || s.workerBuild === s.pageBuild) return 'none';
  return s.asked ? 'reload' : 'offer';
}

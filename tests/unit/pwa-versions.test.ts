// What a page does when its controlling service worker is another build (src/pwa/versions.ts):
// the case the fresh-clone CI caught, where the update's fallback reload was served by the old
// worker and the new one took over right after.
import { describe, expect, it } from 'vitest';
import { onControllerState, type ControllerState } from '../../src/pwa/versions';

const base: ControllerState = { pageBuild: 'a', workerBuild: 'a', waiting: false, asked: false };

describe('onControllerState', () => {
  it('does nothing when the page runs the controlling version', () => {
    expect(onControllerState(base)).toBe('none');
    expect(onControllerState({ ...base, asked: true })).toBe('none');
  });

  it('reloads an old page that the version the user asked for took over', () => {
    expect(onControllerState({ ...base, workerBuild: 'b', asked: true })).toBe('reload');
  });

  it('offers the update when a new version took over without this page asking', () => {
    expect(onControllerState({ ...base, workerBuild: 'b' })).toBe('offer');
  });

  it('leaves a waiting version to the waiting handler', () => {
    expect(onControllerState({ ...base, workerBuild: 'b', waiting: true, asked: true })).toBe('none');
    expect(onControllerState({ ...base, workerBuild: 'b', waiting: true })).toBe('none');
  });

  it('does nothing when the worker cannot say its build (none, or one too old to answer)', () => {
    expect(onControllerState({ ...base, workerBuild: null, asked: true })).toBe('none');
    expect(onControllerState({ ...base, workerBuild: null })).toBe('none');
  });
});

// Constants compiled in by vite.config.ts (`define`): the bundled models' file lists and hashes,
// and the build id shown in <meta name="hearth-build">.
declare const __HEARTH_BUNDLED_MODELS__: Array<{
  id: string;
  version: string;
  files: Array<{ path: string; size: number; sha256: string }>;
}>;
declare const __HEARTH_BUILD_ID__: string;

/**
 * esbuild settings for a step bundle that runs as one ESM file under Node on another machine:
 * every npm package inlined, CommonJS dependencies given the `require`, `__filename` and
 * `__dirname` they expect.
 */
import type { BuildOptions, Message, Plugin } from 'esbuild';

const BANNER = [
  "import { createRequire as __slipwayCreateRequire } from 'node:module';",
  "import { dirname as __slipwayDirname } from 'node:path';",
  "import { fileURLToPath as __slipwayFileURLToPath } from 'node:url';",
  'const require = __slipwayCreateRequire(import.meta.url);',
  'const __filename = __slipwayFileURLToPath(import.meta.url);',
  'const __dirname = __slipwayDirname(__filename);',
].join('\n');

const RESERVE = 'slipway:reserve-banner-names';

/**
 * esbuild does not see the banner, so a user's own top-level `const __dirname = …` (a common ESM
 * idiom) would be declared twice. Referring to the names as globals from an injected module makes
 * esbuild rename such declarations instead (`__dirname2`).
 */
const reserveBannerNames: Plugin = {
  name: 'slipway-reserve-banner-names',
  setup(build) {
    build.onResolve({ filter: /^slipway:reserve-banner-names$/ }, () => ({
      path: 'banner-names',
      namespace: 'slipway',
    }));
    build.onLoad({ filter: /.*/, namespace: 'slipway' }, () => ({
      contents: 'if (false) void [require, __filename, __dirname];',
      loader: 'js',
    }));
  },
};

/** Options for bundling `entry` (absolute) into memory; paths in messages are relative to `workingDir`. */
export function stepBundleOptions(entry: string, workingDir: string): BuildOptions {
  return {
    entryPoints: [entry],
    absWorkingDir: workingDir,
    outfile: 'step.mjs',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    banner: { js: BANNER },
    inject: [RESERVE],
    plugins: [reserveBannerNames],
  };
}

/** esbuild's first errors as one line each: `steps/train.ts:3:7: Expected ";" but found "x"`. */
export function describeBuildFailure(error: unknown, limit = 3): string {
  const messages = (error as { errors?: Message[] } | null)?.errors;
  if (!Array.isArray(messages) || messages.length === 0)
    return error instanceof Error ? error.message : String(error);
  const shown = messages.slice(0, limit).map((message) => {
    const where = message.location
      ? `${message.location.file}:${message.location.line}:${message.location.column + 1}: `
      : '';
    return `${where}${message.text}`;
  });
  const more = messages.length > limit ? ` (and ${messages.length - limit} more)` : '';
  return `${shown.join('; ')}${more}`;
}

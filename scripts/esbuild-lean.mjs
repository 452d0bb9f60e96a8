// The esbuild plugin that keeps the function bundles lean, shared by scripts/build.mjs and serverless.yml (through
// scripts/esbuild-plugins.cjs), so `npm run build` and `osls package` bundle the same bytes. docs/performance.md
// ("What a bundle holds") has the measurements behind each rule.
//
// 1. mainFields module-first: packages shipping ES modules next to CommonJS (@smithy/*) are tree-shaken
//    (@smithy/signature-v4's CommonJS build pulled all of @smithy/core, 129 KiB).
// 2. @kubernetes/client-node's own files are marked free of side effects: its index re-exports every helper
//    (exec/attach over ws, port-forward, cp over tar-fs, informers, YAML helpers), and without the mark esbuild
//    keeps each of those modules although sluice imports only KubeConfig, CustomObjectsApi and Watch.
// 3. client-node's ObjectSerializer imports all of its ~750 generated model classes (360 KiB) for its type map. The
//    type map is only consulted for a named model type; CustomObjectsApi, the one API class sluice uses, only ever
//    (de)serializes the primitive types "any", "string", "boolean" and "number", which never reach it. The bundle
//    gets ObjectSerializer with an empty type map and no model imports (so any type is passed through as plain JSON,
//    as "any" already is); the build fails if the file no longer has the shape this rewrite expects.
// 4. Packages client-node reaches only through kubeconfig features sluice refuses before building a KubeConfig
//    (shared/adapters/kube/kubeconfig-parse.ts: proxy-url, auth-provider) or through methods sluice never calls
//    (KubeConfig.loadFromString/loadFromFile parse with js-yaml) are replaced by stand-ins that throw, naming the
//    package, if they are ever reached.
// 5. client-node's `undici` (720 KiB: its fetch and Agent) is replaced by shared/adapters/kube/https-fetch.ts, the
//    part of undici client-node uses carried by node:https (keep-alive pool with the cluster's TLS options, the
//    same-origin interceptor, undici's error shapes). Outside the bundles client-node keeps the real undici.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const CLIENT_NODE = /[\\/]node_modules[\\/]@kubernetes[\\/]client-node[\\/]/;

/** The module the bundles carry in place of undici for client-node. */
export const HTTPS_FETCH = fileURLToPath(new URL('../shared/adapters/kube/https-fetch.ts', import.meta.url));

/** The bundles' banner: `require` for the CommonJS packages inside an ES module bundle (serverless.yml has it too). */
export const BANNER =
  "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

/** What every sluice Node bundle shares: one minified ES module for Node 22, with `require` for CommonJS inside. */
export const NODE_BUNDLE = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  banner: { js: BANNER },
};

/** Stand-ins: package → its named exports client-node uses. */
export const UNREACHABLE = {
  'openid-client': ['discovery', 'refreshTokenGrant', 'customFetch'], // oidc_auth.js: auth-provider oidc
  'jsonpath-plus': ['JSONPath'], // azure_auth.js, gcp_auth.js: auth-provider azure / gcp
  socks: ['SocksClient'], // config.js: proxy-url socks://
  'socks-proxy-agent': ['SocksProxyAgent'], // config.js: proxy-url socks://
  hpagent: ['HttpProxyAgent', 'HttpsProxyAgent'], // config.js: proxy-url http(s)://
  'js-yaml': ['load', 'dump'], // config.js: loadFromString / loadFromFile
};

/** The stand-in module of `pkg`: each named export throws, naming the package, when called, built or read. */
export function standIn(pkg) {
  const names = UNREACHABLE[pkg];
  return [
    `const refuse = (name) => { throw new Error(${JSON.stringify(
      `${pkg} is not in this bundle (scripts/esbuild-lean.mjs): sluice builds KubeConfigs without the features that use it; `,
    )} + name + ' was reached'); };`,
    `const standIn = (name) => new Proxy(function () {}, { apply: () => refuse(name), construct: () => refuse(name), get: () => refuse(name) });`,
    ...names.map((n) => `export const ${n} = standIn(${JSON.stringify(n)});`),
  ].join('\n');
}

const OBJECT_SERIALIZER = /[\\/]client-node[\\/]dist[\\/]gen[\\/]models[\\/]ObjectSerializer\.js$/;

/**
 * ObjectSerializer.js without its model imports, re-exports and type map.
 * @throws Error naming the file when its shape is not the one this rewrite was written for.
 */
export function withoutModels(source, file) {
  const modelLine =
    /^(export \* from '\.\.\/models\/[A-Za-z0-9]+\.js';|import \{ [A-Za-z0-9]+ \} from '\.\.\/models\/[A-Za-z0-9]+\.js';)\n/gm;
  const typeMap = /^let typeMap = \{\n(?: {4}"[A-Za-z0-9]+": [A-Za-z0-9]+,\n)+\};\n/m;
  const imports = source.match(/^import \{ [A-Za-z0-9]+ \} from '\.\.\/models\//gm)?.length ?? 0;
  const reExports = source.match(/^export \* from '\.\.\/models\//gm)?.length ?? 0;
  if (
    imports < 100 ||
    reExports < 100 ||
    !typeMap.test(source) ||
    !source.includes('let enumsMap = new Set([]);')
  ) {
    throw new Error(
      `sluice-lean: ${file} does not have the shape the model-free rewrite expects (upgrade of @kubernetes/client-node?): review scripts/esbuild-lean.mjs`,
    );
  }
  const rest = source.replace(modelLine, '').replace(typeMap, 'let typeMap = {};\n');
  if (/from '\.\.\/models\//.test(rest))
    throw new Error(`sluice-lean: ${file} still imports models after the rewrite`);
  return rest;
}

/** The plugin (also sets mainFields when the build did not choose its own). */
export const leanPlugin = {
  name: 'sluice-lean',
  setup(build) {
    build.initialOptions.mainFields ??= ['module', 'main'];
    const stubbed = new RegExp(`^(${Object.keys(UNREACHABLE).join('|')})$`);
    build.onResolve({ filter: stubbed }, (args) =>
      CLIENT_NODE.test(args.importer) ? { path: args.path, namespace: 'sluice-unreachable' } : undefined,
    );
    build.onResolve({ filter: /^undici$/ }, (args) =>
      CLIENT_NODE.test(args.importer) ? { path: HTTPS_FETCH } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'sluice-unreachable' }, (args) => ({
      contents: standIn(args.path),
      loader: 'js',
    }));
    build.onLoad({ filter: OBJECT_SERIALIZER }, async (args) => ({
      contents: withoutModels(await readFile(args.path, 'utf8'), args.path),
      loader: 'js',
    }));
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'sluice-lean') return undefined;
      const fromClientNode = CLIENT_NODE.test(args.importer);
      if (!fromClientNode && args.path !== '@kubernetes/client-node') return undefined;
      if (fromClientNode && !args.path.startsWith('.')) return undefined;
      const r = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        with: args.with,
        pluginData: 'sluice-lean',
      });
      if (r.errors.length > 0 || !CLIENT_NODE.test(r.path)) return r;
      return { path: r.path, sideEffects: false };
    });
  },
};

import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Layer rules. Inside `shared/`: core (model → istio → engine) imports nothing above it and no I/O; app imports
 * core and app, and only the port types of adapters; adapters import core, app port types and the Kubernetes port
 * (`shared/app/kube-port/`); runtimes import anything below them; `functions/` imports only runtimes and app.
 * Relative specifiers are matched, so each pattern names the folder a specifier would reach.
 */
const IO_PACKAGES = {
  regex:
    '^(@kubernetes|@aws-sdk|@smithy|@middy)/|^(node:)?(fs|http|https|http2|net|tls|dgram|child_process)(/|$)',
  message: 'core is pure: no I/O packages (do the I/O in shared/app through a port, or in an adapter).',
};
const CLIENT_PACKAGES = {
  regex: '^(@kubernetes|@aws-sdk)/',
  message:
    'shared/app reaches Kubernetes and AWS only through ports; the client libraries belong to shared/adapters.',
};
const LEAVES_CORE = (allowed, message) => ({ regex: `^\\.\\./(?!(${allowed})/)`, message });
const NO_RUNTIMES = {
  regex: '(^|/)(runtimes|functions)/',
  message: 'a lower layer never imports a runtime or a Lambda entry point (pass what it needs in as a port).',
};
const NO_FUNCTIONS = {
  regex: '(^|/)functions/',
  message: 'nothing in shared/ imports a Lambda entry point.',
};
const ADAPTER_TYPES_ONLY = {
  regex: '(^|/)adapters/',
  allowTypeImports: true,
  message:
    'shared/app imports only the port types of shared/adapters (`import type`), never their implementations.',
};
// The one exception: `shared/app/kube-port/` is the Kubernetes port, and its contract includes values the adapter
// must construct or reuse (the KubeApiError the gateway throws, ClusterConfigError, decorateGateway), so the
// adapters may import that folder as values.
const APP_TYPES_ONLY = {
  regex: '(^|/)app/(?!kube-port/)',
  allowTypeImports: true,
  message:
    'shared/adapters imports only port types of shared/app (`import type`), and values only from shared/app/kube-port/.',
};
const FUNCTIONS_BELOW = {
  regex: '(^|/)shared/(core|adapters)/',
  message:
    'functions/ imports only shared/runtimes and shared/app (the runtime wires the adapters and core).',
};
// The dashboard page runs in the browser: no Node or I/O package, nothing of the server but the types of the
// JSON it reads (`import type` from shared/app), which esbuild erases.
const BROWSER_ONLY = {
  regex: '^(node:|@kubernetes|@aws-sdk|@smithy|@middy|esbuild)|(^|/)(core|adapters|runtimes|functions)/',
  message: 'shared/dashboard is browser code: plain DOM, and only type imports from shared/app.',
};
const APP_TYPES = {
  regex: '(^|/)app/',
  allowTypeImports: true,
  message: 'shared/dashboard imports only types from shared/app (the JSON the API answers).',
};
const layer = (...patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns }] });

/** Complexity limits: errors everywhere. */
const COMPLEXITY = { complexity: 15, 'max-depth': 4, 'max-params': 5 };
const complexity = (level) =>
  Object.fromEntries(Object.entries(COMPLEXITY).map(([rule, max]) => [rule, [level, max]]));

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '.serverless*/', 'tests/support/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/explicit-function-return-type': ['error', { allowExpressions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      ...complexity('error'),
    },
  },
  {
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/explicit-function-return-type': 'off' },
  },
  {
    files: ['shared/core/model/**'],
    rules: layer(
      IO_PACKAGES,
      LEAVES_CORE('model', 'core/model imports nothing else: not istio, engine or above.'),
    ),
  },
  {
    files: ['shared/core/istio/**'],
    rules: layer(IO_PACKAGES, LEAVES_CORE('model|istio', 'core/istio imports only core/model.')),
  },
  {
    files: ['shared/core/engine/**'],
    rules: layer(
      IO_PACKAGES,
      LEAVES_CORE(
        'model|istio|analysis|engine',
        'core/engine imports only core/model, core/istio and core/analysis.',
      ),
    ),
  },
  {
    files: ['shared/core/analysis/**'],
    rules: layer(IO_PACKAGES, {
      regex: '(^|/)(engine|istio|app|adapters|runtimes|functions)/',
      message: 'core/analysis imports only core/model (and its own modules).',
    }),
  },
  { files: ['shared/app/**'], rules: layer(CLIENT_PACKAGES, NO_RUNTIMES, ADAPTER_TYPES_ONLY) },
  { files: ['shared/adapters/**'], rules: layer(NO_RUNTIMES, APP_TYPES_ONLY) },
  { files: ['shared/runtimes/**'], rules: layer(NO_FUNCTIONS) },
  { files: ['shared/dashboard/**'], rules: layer(BROWSER_ONLY, APP_TYPES) },
  { files: ['functions/**'], rules: layer(FUNCTIONS_BELOW) },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly' },
    },
  },
  { files: ['**/*.cjs'], languageOptions: { globals: { module: 'writable', require: 'readonly' } } },
);

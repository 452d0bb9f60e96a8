// esbuild plugins of serverless-esbuild (serverless.yml custom.esbuild.plugins): embeds the dashboard page's
// script in the promote function's bundle (the function that answers the dashboard routes), and keeps every bundle
// lean (scripts/esbuild-lean.mjs, shared with scripts/build.mjs).
module.exports = [
  {
    name: 'sluice-lean',
    setup: async (build) => (await import('./esbuild-lean.mjs')).leanPlugin.setup(build),
  },
  {
    name: 'sluice-dashboard-page',
    setup: async (build) => {
      if (!JSON.stringify(build.initialOptions.entryPoints ?? '').includes('promote')) return;
      const { buildPageScript, PAGE_DEFINE } = await import('./dashboard-page.mjs');
      const js = await buildPageScript();
      build.initialOptions.define = { ...build.initialOptions.define, [PAGE_DEFINE]: JSON.stringify(js) };
    },
  },
];

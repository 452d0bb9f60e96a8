/**
 * The dashboard page's HTML shell and style sheet. The script (shared/dashboard/, built with esbuild) renders into
 * `#app`; nothing is loaded from another origin. Colours meet WCAG AA contrast on both backgrounds.
 */

/** The page shell; `mode` tells the script how to authenticate, `pollMs` how often to refresh. */
export function pageHtml(opts: { mode: 'token' | 'jwt'; pollMs: number }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="sluice-mode" content="${opts.mode}">
<meta name="sluice-poll-ms" content="${Math.max(250, Math.floor(opts.pollMs))}">
<title>sluice dashboard</title>
<link rel="stylesheet" href="/dashboard/app.css">
<script type="module" src="/dashboard/app.js"></script>
</head>
<body>
<a class="skip" href="#app">Skip to content</a>
<header><h1><a href="#/">sluice</a></h1><span id="who" aria-live="polite"></span></header>
<main id="app" tabindex="-1"><p>Loading…</p></main>
</body>
</html>
`;
}

/** A page that says why the dashboard cannot be shown (no or a wrong token). */
export function signInHtml(why: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sluice dashboard: sign in</title>
<link rel="stylesheet" href="/dashboard/app.css"></head>
<body><main><h1>sluice dashboard</h1><p role="alert">${why.replace(/[<>&"]/g, '')}</p></main></body></html>
`;
}

/** The style sheet. */
export const PAGE_CSS = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #4f5965; --bg: #ffffff; --line: #d0d7de; --accent: #0a58ca;
  --bad: #b42318; --warn: #8a4b00; --ok: #1a7f37; --canary: #b54708; --stable: #0a58ca; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: baseline; gap: 1rem; padding: .5rem 1rem; border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.2rem; margin: 0; } header a { color: var(--fg); text-decoration: none; }
#who { color: var(--muted); margin-left: auto; }
main { padding: 1rem; max-width: 72rem; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: .5rem; background: #fff; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); }
.filters { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin-bottom: .5rem; }
label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
input, select, button { font: inherit; padding: .3rem .5rem; border: 1px solid #6e7781; border-radius: 4px; }
button { background: #f6f8fa; color: var(--fg); cursor: pointer; } button:hover { background: #eaeef2; }
button.danger { color: var(--bad); border-color: var(--bad); }
.mark { display: inline-block; padding: 0 .4rem; border-radius: 3px; font-size: .8rem; font-weight: 600; margin-right: .25rem; }
.mark-degraded, .mark-aborted { background: #fee4e2; color: var(--bad); }
.mark-paused-for-promotion { background: #fef0c7; color: var(--warn); }
.phase-Healthy, .phase-Successful { color: var(--ok); } .phase-Degraded, .phase-Failed, .phase-Error { color: var(--bad); }
.phase-Paused, .phase-Inconclusive { color: var(--warn); }
ol.steps { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .4rem; }
ol.steps li { border: 1px solid var(--line); border-radius: 4px; padding: .25rem .5rem; }
ol.steps li.done { color: var(--muted); } ol.steps li.current { border: 2px solid var(--accent); font-weight: 600; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0; }
main:focus { outline: none; } .answer:empty { display: none; }
.answer { padding: .5rem; border-left: 4px solid var(--line); margin: .5rem 0; }
.answer.ok { border-color: var(--ok); } .answer.refused { border-color: var(--bad); }
svg.chart { width: 100%; max-width: 40rem; height: auto; border: 1px solid var(--line); }
svg.chart .canary { stroke: var(--canary); fill: none; stroke-width: 2; }
svg.chart .stable { stroke: var(--stable); fill: none; stroke-width: 2; stroke-dasharray: 5 3; }
svg.chart text { font-size: 11px; fill: var(--muted); } svg.chart line.axis { stroke: var(--line); }
.legend-canary { color: var(--canary); } .legend-stable { color: var(--stable); }
.muted { color: var(--muted); } section { margin-bottom: 1.25rem; } h2 { font-size: 1.1rem; margin: 1rem 0 .25rem; }
`;

/**
 * The dashboard page's entry point (bundled by esbuild into /dashboard/app.js): signs in (the session cookie
 * locally; a pasted bearer token on AWS), routes between the fleet view (`#/`) and a rollout view
 * (`#/r/<cluster>/<namespace>/<name>`), and polls the API every few seconds so both stay live without a reload.
 */
import * as api from './api.js';
import { fill, h } from './dom.js';
import { mountFleet } from './fleet.js';
import { mountRollout } from './rollout.js';

const { mode, pollMs } = api.pageConfig();
const app = document.getElementById('app') as HTMLElement;
const who = document.getElementById('who') as HTMLElement;
let generation = 0;
let firstRender = false;

function rendered(): void {
  if (firstRender) return;
  firstRender = true;
  performance.mark('sluice-first-render');
}

function problem(status: number, message: string | undefined): void {
  fill(app, h('p', { role: 'alert' }, `The dashboard API answered ${status}: ${message ?? ''}`));
}

function signIn(message: string): void {
  const input = h('input', { id: 'token', type: 'password', autocomplete: 'off' });
  const form = h(
    'form',
    { onsubmit: (e) => (e.preventDefault(), api.setBearer((input as HTMLInputElement).value), void start()) },
    h('label', { for: 'token' }, 'Bearer token (an ID token from your identity provider)', input),
    h('button', { type: 'submit' }, 'Sign in'),
  );
  fill(app, h('h2', {}, 'Sign in'), h('p', { role: 'alert' }, message), form);
}

/** Calls `tick` now and every pollMs while the route is the same. */
function poll(mine: number, tick: () => Promise<void>): void {
  const loop = async (): Promise<void> => {
    if (mine !== generation) return;
    await tick().catch(() => undefined);
    if (mine === generation) setTimeout(() => void loop(), pollMs);
  };
  void loop();
}

function showFleet(mine: number): void {
  const view = mountFleet(app);
  poll(mine, async () => {
    const res = await api.fleet();
    if (mine !== generation) return;
    if (res.status !== 200) return problem(res.status, res.body.message);
    view.update(res.body);
    rendered();
  });
}

function showRollout(mine: number, ref: { cluster: string; namespace: string; name: string }): void {
  const refresh = async (): Promise<void> => {
    const res = await api.detail(ref);
    if (mine !== generation) return;
    if (res.status !== 200) return problem(res.status, res.body.message);
    page.update(res.body);
    rendered();
  };
  const page = mountRollout(app, ref, refresh);
  poll(mine, async () => {
    if (!page.busy()) await refresh();
  });
}

function route(): void {
  const mine = ++generation;
  const m = /^#\/r\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(location.hash);
  if (m) {
    const [cluster, namespace, name] = m.slice(1).map((x) => decodeURIComponent(x ?? ''));
    showRollout(mine, { cluster: cluster ?? '', namespace: namespace ?? '', name: name ?? '' });
  } else showFleet(mine);
  app.focus();
}

async function start(): Promise<void> {
  const me = await api.session();
  if (me.status === 401 && mode === 'jwt') return signIn(me.body.message ?? 'Sign in to continue.');
  if (me.status !== 200) return problem(me.status, me.body.message);
  who.textContent = `Signed in as ${me.body.actor ?? ''}`;
  route();
}

window.addEventListener('hashchange', route);
void start();

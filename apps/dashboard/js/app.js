// Entry point: login, period, language, hash routes. Views render into #view; the alert feed runs
// beside them for the whole session.
import { clearToken, claims, get, getToken, setToken, setUnauthenticatedHandler } from './api.js';
import { getLang, mergeServerLabels, setLang, t } from './i18n.js';
import { startAlerts, stopAlerts, rerenderAlerts } from './alerts.js';
import { renderAgencyView } from './agency-view.js';
import { renderDossierView } from './dossier-view.js';
import { el } from './dom.js';

export const state = {
  today: null,
  period: { from: null, to: null },
};

const $ = (sel) => document.querySelector(sel);

function translateStatic() {
  document.documentElement.lang = getLang();
  for (const n of document.querySelectorAll('[data-i18n]')) n.textContent = t(n.dataset.i18n);
  for (const n of document.querySelectorAll('[data-i18n-placeholder]')) n.placeholder = t(n.dataset.i18nPlaceholder);
}

/** Viet Nam local date (UTC+7) of an instant: the server's `today` is preferred when known. */
function vnToday() {
  return new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
}

function initPeriod() {
  const saved = JSON.parse(sessionStorage.getItem('motcua.period') || 'null');
  const today = state.today ?? vnToday();
  state.period = saved?.from && saved?.to ? saved : { from: `${today.slice(0, 4)}-01-01`, to: today };
  const f = $('#period');
  f.from.value = state.period.from;
  f.to.value = state.period.to;
}

function showLogin(message) {
  stopAlerts();
  $('#main').hidden = true;
  $('#period').hidden = true;
  $('#goto').hidden = true;
  $('#logout').hidden = true;
  $('#who').textContent = '';
  $('#login').hidden = false;
  const err = $('#login-error');
  err.hidden = !message;
  err.textContent = message ?? '';
  $('#token').focus();
}

async function showApp() {
  $('#login').hidden = true;
  $('#main').hidden = false;
  $('#period').hidden = false;
  $('#goto').hidden = false;
  $('#logout').hidden = false;
  const c = claims();
  $('#who').textContent = c ? `${t('signedInAs')} ${c.sub ?? ''} (${c.role ?? '?'}${c.agency ? ', ' + c.agency : ''})` : '';
  startAlerts();
  await route();
}

let routeSeq = 0;
export async function route() {
  if (!getToken()) return showLogin();
  const seq = ++routeSeq;
  const view = $('#view');
  const hash = location.hash.replace(/^#/, '') || '/';
  const [, kind, rawArg] = hash.match(/^\/(agency|dossier)\/(.+)$/) ?? [];
  const arg = rawArg ? decodeURIComponent(rawArg) : undefined;
  view.replaceChildren(el('p', { class: 'muted' }, t('loading')));
  const stale = () => seq !== routeSeq;
  try {
    if (kind === 'dossier') await renderDossierView(view, arg, stale);
    else await renderAgencyView(view, arg, state.period, stale);
  } catch (e) {
    if (stale()) return;
    view.replaceChildren(
      el('div', { class: 'card error', 'data-testid': 'view-error' }, `${t('error')}: ${e?.status === 404 ? t('notFound') : (e?.message ?? e)}`),
    );
  }
}

async function main() {
  translateStatic();
  setUnauthenticatedHandler(() => {
    clearToken();
    showLogin(t('tokenInvalid'));
  });
  try {
    const cfg = await get('/api/dashboard/config');
    mergeServerLabels(cfg);
    state.today = cfg.today;
  } catch {
    /* labels fall back to the built-in copies */
  }
  initPeriod();

  $('#login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const tok = $('#token').value.trim();
    const c = claims(tok);
    if (!c || (c.exp && c.exp * 1000 < Date.now())) return showLogin(t('tokenInvalid'));
    setToken(tok);
    $('#token').value = '';
    await showApp();
  });
  $('#logout').addEventListener('click', () => {
    clearToken();
    showLogin();
  });
  $('#lang').addEventListener('click', () => {
    setLang(getLang() === 'vi' ? 'en' : 'vi');
    translateStatic();
    if (getToken()) {
      const c = claims();
      $('#who').textContent = c ? `${t('signedInAs')} ${c.sub ?? ''} (${c.role ?? '?'}${c.agency ? ', ' + c.agency : ''})` : '';
      rerenderAlerts();
      route();
    }
  });
  $('#period').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = ev.currentTarget;
    if (!f.from.value || !f.to.value || f.from.value > f.to.value) return;
    state.period = { from: f.from.value, to: f.to.value };
    sessionStorage.setItem('motcua.period', JSON.stringify(state.period));
    route();
  });
  $('#goto').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const code = ev.currentTarget.code.value.trim();
    if (code) location.hash = `#/dossier/${encodeURIComponent(code)}`;
  });
  window.addEventListener('hashchange', () => route());

  if (getToken()) await showApp();
  else showLogin();
  document.body.dataset.ready = 'true';
}

main();

// The live alert feed: the open alerts (GET /api/alerts) then the SSE stream
// (GET /api/alerts/stream?access_token=…, since EventSource cannot send headers). The browser
// reconnects by itself and sends Last-Event-ID, so nothing is missed across a network blip.
// Acknowledge = POST /api/alerts/:id/acknowledge (recorded as an event by the server).
import { get, getToken, listOf, post } from './api.js';
import { el } from './dom.js';
import { fmtDateTime, t } from './i18n.js';

const MAX_SHOWN = 200;
/** id -> alert, newest first in `order`. */
const alerts = new Map();
let order = [];
let source = null;
let connection = 'connecting';
const fresh = new Set();

/** Feed rows may come as `{ type, alert }` or as the alert itself. */
function normalise(raw) {
  const a = raw?.alert ?? raw;
  if (!a || typeof a !== 'object') return null;
  const id = a.id ?? a.alertId;
  if (!id) return null;
  return {
    id: String(id),
    kind: a.kind ?? (String(id).startsWith('deadline-missed') ? 'deadline_missed' : 'due_soon'),
    dossierCode: a.dossierCode ?? a.code ?? null,
    agencyCode: a.agencyCode ?? null,
    dueAt: a.dueAt ?? null,
    occurredAt: a.occurredAt ?? a.detectedAt ?? null,
    status: a.status ?? (a.acknowledgedAt ? 'acknowledged' : 'open'),
    acknowledgedBy: a.acknowledgedBy ?? null,
  };
}

function upsert(raw, { isNew } = {}) {
  const a = normalise(raw);
  if (!a) return;
  const had = alerts.get(a.id);
  // An acknowledgement is final: a late-arriving "raised" row must not reopen it.
  if (had?.status === 'acknowledged' && a.status !== 'acknowledged') return;
  alerts.set(a.id, { ...had, ...a });
  if (!had) {
    order.unshift(a.id);
    if (isNew) fresh.add(a.id);
  }
  if (order.length > MAX_SHOWN) for (const id of order.splice(MAX_SHOWN)) alerts.delete(id);
}

export async function startAlerts() {
  stopAlerts();
  alerts.clear();
  order = [];
  setConnection('connecting');
  try {
    const body = await get('/api/alerts', { status: 'open' });
    // Oldest first into the list, so the newest end up on top.
    const list = listOf(body).slice().reverse();
    for (const a of list) upsert(a);
  } catch (e) {
    if (e.status !== 401) renderError(e);
  }
  render();
  const tok = getToken();
  if (!tok) return;
  source = new EventSource(`/api/alerts/stream?access_token=${encodeURIComponent(tok)}`);
  const onMessage = (ev) => {
    let data;
    try {
      data = JSON.parse(ev.data);
    } catch {
      return;
    }
    upsert(data, { isNew: true });
    render();
  };
  // The server names its events; listen to the names it may use, and to unnamed messages.
  for (const name of ['message', 'alert', 'alert-acknowledged', 'alert.raised', 'alert.acknowledged']) source.addEventListener(name, onMessage);
  source.addEventListener('open', () => setConnection('live'));
  source.addEventListener('error', () => setConnection(source?.readyState === EventSource.CLOSED ? 'down' : 'connecting'));
}

export function stopAlerts() {
  source?.close();
  source = null;
}

function setConnection(c) {
  connection = c;
  const pill = document.querySelector('#alert-status');
  if (!pill) return;
  pill.className = `pill ${c === 'live' ? 'live' : c === 'down' ? 'down' : ''}`;
  pill.textContent = c === 'live' ? t('live') : c === 'down' ? t('disconnected') : t('connecting');
  pill.dataset.state = c;
}

function renderError(e) {
  document.querySelector('#alert-list')?.replaceChildren(el('li', { class: 'error' }, `${t('error')}: ${e.message}`));
}

export function rerenderAlerts() {
  setConnection(connection);
  render();
}

function render() {
  const list = document.querySelector('#alert-list');
  if (!list) return;
  if (!order.length) return list.replaceChildren(el('li', { class: 'muted', 'data-testid': 'no-alerts' }, t('noAlerts')));
  list.replaceChildren(
    ...order.map((id) => {
      const a = alerts.get(id);
      const acked = a.status === 'acknowledged';
      const item = el(
        'li',
        {
          class: `alert ${a.kind} ${acked ? 'acked' : ''} ${fresh.has(id) ? 'fresh' : ''}`,
          'data-alert-id': a.id,
          'data-status': a.status,
          'data-kind': a.kind,
        },
        el('div', { class: 'kind' }, t(`alert_${a.kind}`)),
        el('div', {}, el('a', { href: `#/dossier/${encodeURIComponent(a.dossierCode ?? '')}`, 'data-testid': 'alert-dossier' }, a.dossierCode ?? '?')),
        el('div', { class: 'meta' }, `${a.agencyCode ?? ''} · ${t('dueAt')}: ${fmtDateTime(a.dueAt)}`),
        acked
          ? el('div', { class: 'meta' }, `${t('acknowledged')}${a.acknowledgedBy ? ' · ' + a.acknowledgedBy : ''}`)
          : el('button', { type: 'button', 'data-testid': 'ack', onclick: (ev) => acknowledge(a, ev.currentTarget) }, t('acknowledge')),
      );
      return item;
    }),
  );
  fresh.clear();
}

async function acknowledge(a, button) {
  button.disabled = true;
  try {
    const res = await post(`/api/alerts/${encodeURIComponent(a.id)}/acknowledge`);
    upsert(res?.alert ?? res ?? { ...a, status: 'acknowledged' });
    const cur = alerts.get(a.id);
    if (cur && cur.status !== 'acknowledged') alerts.set(a.id, { ...cur, status: 'acknowledged' });
    render();
  } catch (e) {
    button.disabled = false;
    button.title = e.message;
    button.textContent = `${t('acknowledge')} (${t('error')})`;
  }
}

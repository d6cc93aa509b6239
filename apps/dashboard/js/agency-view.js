// Province -> agency -> sub-units -> dossier list, for the chosen period.
// Figures come from GET /api/sla?by=agency (each row with its roll-up over the subtree); the tree
// from GET /api/agencies?asOf=<period end>, so it is the tree as it stood at the period's end.
import { claims, figuresOf, get, listOf } from './api.js';
import { el } from './dom.js';
import { fmtDateTime, fmtInt, fmtRate, fmtScore, statusLabel, STATUSES, t } from './i18n.js';
import { renderCharts } from './charts.js';

const COLUMNS = [
  { key: 'onTimeScore', label: 'onTimeScore', fmt: fmtScore },
  { key: 'lateRate', label: 'lateRate', fmt: fmtRate, cls: 'late-cell' },
  { key: 'onlineRate', label: 'onlineRate', fmt: fmtRate },
  { key: 'received', label: 'received', fmt: fmtInt },
  { key: 'completed', label: 'completed', fmt: fmtInt },
  { key: 'openWithinDeadline', label: 'withinDeadline', fmt: fmtInt },
  { key: 'openOverdue', label: 'overdue', fmt: fmtInt, cls: 'overdue-cell' },
  { key: 'paused', label: 'paused', fmt: fmtInt },
];

function figureCells(f) {
  return COLUMNS.map((c) => {
    const v = f?.[c.key];
    return el('td', { class: `num ${v ? (c.cls ?? '') : ''}`, 'data-field': c.key }, c.fmt(v ?? (c.fmt === fmtInt ? 0 : null)));
  });
}

async function loadAgencies(asOf) {
  const body = await get('/api/agencies', { asOf });
  return listOf(body);
}

async function loadSla(period, agency) {
  const body = await get('/api/sla', { from: period.from, to: period.to, by: 'agency', agency });
  const rows = listOf(body);
  const byCode = new Map();
  for (const r of rows) byCode.set(r.agencyCode ?? r.key, r);
  return { byCode, watermark: body?.watermark ?? null };
}

export async function renderAgencyView(view, code, period, stale) {
  const agencies = await loadAgencies(period.to);
  if (stale()) return;
  const byCode = new Map(agencies.map((a) => [a.code, a]));
  const children = new Map();
  for (const a of agencies) {
    const p = a.parentCode ?? null;
    if (!children.has(p)) children.set(p, []);
    children.get(p).push(a);
  }
  for (const list of children.values()) list.sort((a, b) => a.code.localeCompare(b.code));

  // No agency asked: the monitor's own agency, else the roots of the tree (normally one province).
  const mine = claims()?.agency;
  const roots = children.get(null) ?? [];
  const current = code ?? (mine && byCode.has(mine) ? mine : roots.length === 1 ? roots[0].code : undefined);

  let sla;
  try {
    sla = await loadSla(period, current);
  } catch (e) {
    if (e.status === 404 && /no such route|cannot get/i.test(e.message)) sla = { byCode: new Map(), watermark: null, missing: true };
    else throw e;
  }
  if (stale()) return;

  const nodes = [];
  const agency = current ? byCode.get(current) : undefined;
  if (current && !agency) throw Object.assign(new Error(`${t('notFound')}: ${current}`), { status: 404 });

  // Breadcrumbs: the parent chain as of the period's end.
  const chain = [];
  for (let a = agency; a; a = a.parentCode ? byCode.get(a.parentCode) : undefined) chain.unshift(a);
  nodes.push(
    el(
      'nav',
      { class: 'crumbs', 'data-testid': 'crumbs' },
      el('a', { href: '#/' }, t('province')),
      chain.map((a, i) => (i === chain.length - 1 ? el('span', {}, a.name) : el('a', { href: `#/agency/${encodeURIComponent(a.code)}` }, a.name))),
    ),
  );

  if (agency) {
    const f = figuresOf(sla.byCode.get(agency.code));
    nodes.push(
      el(
        'section',
        { class: 'card', 'data-testid': 'agency-summary', 'data-agency': agency.code },
        el('h2', {}, `${agency.name} `, el('span', { class: 'muted' }, `(${agency.code})`)),
        el(
          'div',
          { class: 'kpis' },
          kpi('onTimeScore', fmtScore(f?.onTimeScore)),
          kpi('onTimeRate', fmtRate(f?.onTimeRate)),
          kpi('lateRate', fmtRate(f?.lateRate), 'late'),
          kpi('onlineRate', fmtRate(f?.onlineRate)),
          kpi('received', fmtInt(f?.received ?? 0)),
          kpi('withinDeadline', fmtInt(f?.openWithinDeadline ?? 0)),
          kpi('overdue', fmtInt(f?.openOverdue ?? 0), 'overdue'),
          kpi('paused', fmtInt(f?.paused ?? 0)),
        ),
        el('p', { class: 'muted' }, t('rollupNote'), ' ', freshness(sla.watermark)),
      ),
    );
  }
  if (sla.missing) nodes.push(el('p', { class: 'card error' }, `/api/sla: ${t('notAvailable')}`));

  // The tree under the current agency (or the roots), expandable in place.
  const top = agency ? (children.get(agency.code) ?? []) : roots;
  if (top.length) {
    const tbody = el('tbody');
    const addRows = (list, depth, after) => {
      let anchor = after;
      for (const a of list) {
        const kids = children.get(a.code) ?? [];
        const toggle = kids.length
          ? el('button', { class: 'toggle', type: 'button', 'aria-expanded': 'false', title: t('subunits') }, '▸')
          : el('span', { class: 'toggle' });
        const row = el(
          'tr',
          { class: 'tree-row', 'data-agency': a.code, 'data-depth': depth, 'data-parent': a.parentCode ?? '' },
          el(
            'td',
            { style: `padding-left:${6 + depth * 18}px` },
            toggle,
            el('a', { href: `#/agency/${encodeURIComponent(a.code)}`, 'data-testid': 'agency-link' }, a.name),
            ' ',
            el('span', { class: 'muted' }, a.code),
          ),
          figureCells(figuresOf(sla.byCode.get(a.code))),
        );
        if (kids.length) {
          toggle.addEventListener('click', () => {
            const open = toggle.getAttribute('aria-expanded') === 'true';
            if (open) {
              // Collapse: remove every descendant row.
              let next = row.nextElementSibling;
              while (next && Number(next.dataset.depth) > depth) {
                const n = next.nextElementSibling;
                next.remove();
                next = n;
              }
            } else addRows(kids, depth + 1, row);
            toggle.setAttribute('aria-expanded', String(!open));
            toggle.textContent = open ? '▸' : '▾';
          });
        }
        if (anchor) anchor.after(row);
        else tbody.append(row);
        anchor = row;
      }
    };
    addRows(top, 0, null);
    nodes.push(
      el(
        'section',
        { class: 'card' },
        el('h2', {}, agency ? t('subunits') : t('agencyTree')),
        el(
          'table',
          { 'data-testid': 'agency-tree' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              el('th', {}, t('agency')),
              COLUMNS.map((c) => el('th', { class: 'num' }, t(c.label))),
            ),
          ),
          tbody,
        ),
      ),
    );
  }

  if (agency) {
    const chartsBox = el('section', { class: 'card', 'data-testid': 'charts' }, el('h2', {}, t('charts')));
    nodes.push(chartsBox);
    const list = el('section', { class: 'card', 'data-testid': 'dossier-list' });
    nodes.push(list);
    view.replaceChildren(...nodes);
    await Promise.all([
      renderCharts(chartsBox, agency, top, period, stale).catch((e) => chartsBox.append(el('p', { class: 'error' }, `${t('error')}: ${e.message}`))),
      renderDossierList(list, agency.code, stale),
    ]);
  } else {
    view.replaceChildren(...nodes);
  }
}

function kpi(label, value, cls = '') {
  return el('div', { class: `kpi ${cls}`, 'data-kpi': label }, el('div', { class: 'label' }, t(label)), el('div', { class: 'value' }, value));
}

function freshness(w) {
  if (!w) return '';
  const behind = w.behind ? ` (${t('behind')} ${fmtInt(w.behind)}${w.behindCapped ? '+' : ''} ${t('events')})` : '';
  return `${t('freshness')} ${w.position || '0'}${behind}.`;
}

/** GET /api/dossiers?agency=&status=&overdue=&cursor=: the agency's subtree, paginated by cursor. */
async function renderDossierList(box, agencyCode, stale) {
  const filters = { status: '', overdue: false };
  const statusSelect = el(
    'select',
    { name: 'status', 'data-testid': 'status-filter' },
    el('option', { value: '' }, t('allStatuses')),
    Object.keys(STATUSES).map((s) => el('option', { value: s }, statusLabel(s))),
  );
  const overdueBox = el('input', { type: 'checkbox', name: 'overdue' });
  const tbody = el('tbody');
  const more = el('button', { type: 'button', hidden: true }, t('more'));
  const empty = el('p', { class: 'muted', hidden: true }, t('noDossiers'));
  let cursor;
  let seq = 0;

  const load = async (reset) => {
    const my = ++seq;
    if (reset) cursor = undefined;
    let body;
    try {
      body = await get('/api/dossiers', { agency: agencyCode, status: filters.status, overdue: filters.overdue ? 'true' : undefined, cursor });
    } catch (e) {
      if (my !== seq || stale()) return;
      tbody.replaceChildren();
      empty.hidden = false;
      empty.textContent =
        e.status === 404 && /no such route|cannot get/i.test(e.message) ? `/api/dossiers: ${t('notAvailable')}` : `${t('error')}: ${e.message}`;
      return;
    }
    if (my !== seq || stale()) return;
    const items = listOf(body);
    if (reset) tbody.replaceChildren();
    for (const d of items) tbody.append(dossierRow(d));
    cursor = body?.nextCursor ?? body?.cursor ?? undefined;
    more.hidden = !cursor;
    empty.hidden = tbody.children.length > 0;
    empty.textContent = t('noDossiers');
  };
  statusSelect.addEventListener('change', () => ((filters.status = statusSelect.value), load(true)));
  overdueBox.addEventListener('change', () => ((filters.overdue = overdueBox.checked), load(true)));
  more.addEventListener('click', () => load(false));

  box.replaceChildren(
    el('h2', {}, t('dossierList')),
    el('div', { class: 'filters' }, statusSelect, el('label', {}, overdueBox, ' ', t('overdueOnly'))),
    el(
      'table',
      {},
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['code', 'procedure', 'channel', 'status', 'receivedAt', 'dueAt', 'timeliness'].map((k) => el('th', {}, t(k))),
        ),
      ),
      tbody,
    ),
    empty,
    more,
  );
  await load(true);
}

export function timelinessLabel(x) {
  return x ? el('span', { class: `t-${x}` }, t(`t_${x}`)) : '—';
}

function dossierRow(d) {
  return el(
    'tr',
    { 'data-dossier': d.code },
    el('td', {}, el('a', { href: `#/dossier/${encodeURIComponent(d.code)}`, 'data-testid': 'dossier-link' }, d.code)),
    el('td', {}, d.procedureCode ?? '—'),
    el('td', {}, d.channel ? t(`ch_${d.channel}`) : '—'),
    el('td', {}, statusLabel(d.status, d.statusCode ?? d.nationalStatusCode)),
    el('td', { class: 'num' }, fmtDateTime(d.receivedAt)),
    el('td', { class: 'num' }, fmtDateTime(d.dueAt)),
    el('td', {}, timelinessLabel(d.timeliness)),
  );
}

// One dossier: its current facts (GET /api/dossiers/:code) and its history timeline
// (GET /api/dossiers/:code/history), newest last, as the control sheet reads.
import { get } from './api.js';
import { el } from './dom.js';
import { eventLabel, fmtDateTime, statusLabel, t } from './i18n.js';
import { timelinessLabel } from './agency-view.js';

export async function renderDossierView(view, code, stale) {
  const [d, h] = await Promise.all([get(`/api/dossiers/${encodeURIComponent(code)}`), get(`/api/dossiers/${encodeURIComponent(code)}/history`)]);
  if (stale()) return;
  const events = h?.events ?? h?.entries ?? h?.items ?? [];
  const fact = (k, v) => [el('dt', {}, t(k)), el('dd', { 'data-fact': k }, v ?? '—')];
  view.replaceChildren(
    el(
      'nav',
      { class: 'crumbs' },
      el('a', { href: '#/' }, t('province')),
      d.agencyCode ? el('a', { href: `#/agency/${encodeURIComponent(d.agencyCode)}` }, d.agencyCode) : null,
      el('span', {}, d.code),
    ),
    el(
      'section',
      { class: 'card', 'data-testid': 'dossier', 'data-dossier': d.code },
      el('h2', {}, `${t('dossier')} ${d.code}`),
      el(
        'dl',
        { class: 'facts' },
        fact('status', statusLabel(d.status, d.nationalStatusCode ?? d.statusCode)),
        fact('timeliness', timelinessLabel(d.timeliness)),
        fact('agency', d.agencyCode),
        fact('procedure', d.procedureCode),
        fact('channel', d.channel ? t(`ch_${d.channel}`) : null),
        fact('receivedAt', fmtDateTime(d.receivedAt)),
        fact('originalDueAt', fmtDateTime(d.originalDueAt)),
        fact('dueAt', fmtDateTime(d.dueAt)),
        fact('promisedAt', fmtDateTime(d.promisedAt)),
        fact('completedAt', fmtDateTime(d.completedAt)),
      ),
    ),
    el(
      'section',
      { class: 'card' },
      el('h2', {}, t('history')),
      el(
        'ol',
        { class: 'timeline', 'data-testid': 'timeline' },
        events.map((e) =>
          el(
            'li',
            { class: e.type?.replace(/^dossier\.|\.v\d+$/g, ''), 'data-type': e.type },
            el('div', { class: 'when' }, fmtDateTime(e.occurredAt ?? e.recordedAt), ' · ', t('actor'), ': ', e.actor ?? '—'),
            el('div', { class: 'what' }, eventLabel(e.type)),
            el('div', {}, statusLabel(e.status, e.nationalStatusCode ?? e.statusCode)),
            e.data?.dueAt ? el('div', { class: 'muted' }, `${t('dueAt')}: ${fmtDateTime(e.data.dueAt)}`) : null,
            e.data?.newPromisedAt ? el('div', { class: 'muted' }, `${t('promisedAt')}: ${fmtDateTime(e.data.newPromisedAt)}`) : null,
            e.data?.reason ? el('div', { class: 'muted' }, e.data.reason) : null,
          ),
        ),
      ),
    ),
  );
}

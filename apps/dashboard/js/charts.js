/* global Chart */
// Late rate and received volume over time for an agency and its largest sub-units, drawn with
// chart.js (UMD build served from node_modules at vendor/chart.umd.min.js, global `Chart`).
// The period is cut into at most 12 buckets (days, weeks or months); each bucket is one
// GET /api/sla?by=agency&agency=<code> call, so a bucket's figures are exactly the API's.
import { figuresOf, get, listOf } from './api.js';
import { el } from './dom.js';
import { getLang, t } from './i18n.js';

const DAY = 86_400_000;
const MAX_BUCKETS = 12;
const MAX_SERIES = 5;
const COLORS = ['#0b5cad', '#c0392b', '#1e8449', '#b9770e', '#6c5ce7', '#16a085'];

const d2s = (ms) => new Date(ms).toISOString().slice(0, 10);
const s2d = (s) => Date.parse(s + 'T00:00:00Z');

/** Consecutive [from, to] local-date buckets covering the end of the period. */
export function buckets(from, to) {
  const start = s2d(from);
  const end = s2d(to);
  const days = Math.round((end - start) / DAY) + 1;
  const out = [];
  if (days <= 14) {
    for (let d = start; d <= end; d += DAY) out.push({ from: d2s(d), to: d2s(d), label: d2s(d).slice(5) });
  } else if (days <= 7 * MAX_BUCKETS) {
    for (let d = start; d <= end; d += 7 * DAY) out.push({ from: d2s(d), to: d2s(Math.min(d + 6 * DAY, end)), label: d2s(d).slice(5) });
  } else {
    let d = new Date(start);
    while (d.getTime() <= end) {
      const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      out.push({ from: d2s(d.getTime()), to: d2s(Math.min(next - DAY, end)), label: d2s(d.getTime()).slice(0, 7) });
      d = new Date(next);
    }
  }
  return out.slice(-MAX_BUCKETS);
}

const charts = new WeakMap();

export async function renderCharts(box, agency, subunits, period, stale) {
  if (typeof Chart === 'undefined') {
    box.append(el('p', { class: 'error' }, 'chart.js not loaded'));
    return;
  }
  const bs = buckets(period.from, period.to);
  const answers = await Promise.all(bs.map((b) => get('/api/sla', { from: b.from, to: b.to, by: 'agency', agency: agency.code })));
  if (stale()) return;
  const rowsByBucket = answers.map((body) => new Map(listOf(body).map((r) => [r.agencyCode ?? r.key, figuresOf(r)])));

  // The agency itself, then its sub-units with the most dossiers received over the whole period.
  const totals = subunits.map((a) => ({ a, n: rowsByBucket.reduce((s, m) => s + (m.get(a.code)?.received ?? 0), 0) }));
  totals.sort((x, y) => y.n - x.n);
  const series = [
    agency,
    ...totals
      .filter((x) => x.n > 0)
      .slice(0, MAX_SERIES)
      .map((x) => x.a),
  ];
  const labels = bs.map((b) => b.label);
  const pct = (r) => (r === null || r === undefined ? null : Math.round(r * 1000) / 10);

  const lateCanvas = el('canvas', { 'data-testid': 'chart-late', 'aria-label': t('chartLate'), role: 'img' });
  const volCanvas = el('canvas', { 'data-testid': 'chart-received', 'aria-label': t('chartReceived'), role: 'img' });
  box.append(
    el(
      'div',
      { class: 'charts' },
      el('div', {}, el('div', { class: 'muted' }, t('chartLate')), el('div', { class: 'chart-box' }, lateCanvas)),
      el('div', {}, el('div', { class: 'muted' }, t('chartReceived')), el('div', { class: 'chart-box' }, volCanvas)),
    ),
  );

  const common = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { position: 'bottom', labels: { boxWidth: 10, font: { size: 11 } } } },
    locale: getLang() === 'vi' ? 'vi-VN' : 'en-GB',
  };
  const late = new Chart(lateCanvas, {
    type: 'line',
    data: {
      labels,
      datasets: series.map((a, i) => ({
        label: a.name,
        data: rowsByBucket.map((m) => pct(m.get(a.code)?.lateRate)),
        borderColor: COLORS[i % COLORS.length],
        backgroundColor: COLORS[i % COLORS.length],
        borderWidth: i === 0 ? 3 : 1.5,
        spanGaps: true,
        tension: 0.2,
      })),
    },
    options: { ...common, scales: { y: { beginAtZero: true, suggestedMax: 10, ticks: { callback: (v) => `${v} %` } } } },
  });
  const vol = new Chart(volCanvas, {
    type: 'bar',
    data: {
      labels,
      datasets: series.map((a, i) => ({
        label: a.name,
        data: rowsByBucket.map((m) => m.get(a.code)?.received ?? 0),
        backgroundColor: COLORS[i % COLORS.length],
        // The agency's own bar is its roll-up (all sub-units); the others are shown beside it.
      })),
    },
    options: { ...common, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  charts.set(box, [late, vol]);
  box.dataset.buckets = String(bs.length);
}

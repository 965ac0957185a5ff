// The Cutover dashboard page (docs/dashboard.md). Plain script, no build step: it renders what
// the server pushes over server-sent events (/api/overview, /api/rollouts/NS/NAME) and, when the
// server allows actions, posts them with the page's token. Text from the cluster is only ever
// set as text, never as HTML.
'use strict';

const token = document.querySelector('meta[name="cutover-token"]').content;
const IN_FLIGHT = ['Progressing', 'Canary', 'AwaitingApproval', 'Promoting', 'HoldWindow', 'CuttingOver'];
const ATTENTION = ['RolledBack', 'Degraded', 'InvalidSpec'];
const view = { source: null, overview: null, release: null, search: '', phase: '', actionResult: null, openReports: new Set() };

// --- DOM helpers --------------------------------------------------------------------------

function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else element.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function svg(tag, attributes, ...children) {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, value);
  for (const child of children.flat()) if (child) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

function phaseBadge(phase, paused) {
  return h('span', { class: 'phase ' + phase + (paused ? ' paused' : ''), 'data-phase': phase }, phase + (paused ? ' (paused)' : ''));
}

function weightBar(weight) {
  const fill = h('span', {});
  fill.style.width = weight + '%';  // through the CSSOM: the page's policy allows no inline style
  return h('span', { class: 'weight' }, h('span', { class: 'bar' }, fill), weight + '%');
}

function age(timestamp) {
  if (!timestamp) return '';
  const seconds = Math.max(0, (Date.now() - Date.parse(timestamp)) / 1000);
  if (seconds < 120) return Math.floor(seconds) + 's';
  if (seconds < 7200) return Math.floor(seconds / 60) + 'm';
  if (seconds < 172800) return Math.floor(seconds / 3600) + 'h';
  return Math.floor(seconds / 86400) + 'd';
}

function plural(count, one, many) {
  return count + ' ' + (count === 1 ? one : many);
}

function clock(timestamp) {
  return timestamp ? new Date(Date.parse(timestamp)).toLocaleTimeString([], { hour12: false }) : '';
}

function when(timestamp) {
  return timestamp ? new Date(Date.parse(timestamp)).toLocaleString([], { hour12: false }) : '';
}

function number(value) {
  if (value === undefined || value === null) return '-';
  return Math.abs(value) >= 1000 || value === Math.round(value) ? String(Math.round(value * 1000) / 1000) : String(Number(value.toPrecision(4)));
}

// --- Connection -----------------------------------------------------------------------------

function setConnected(connected) {
  document.getElementById('connection-lost').hidden = connected;
  const state = document.getElementById('connection-state');
  state.textContent = connected ? 'live' : 'reconnecting…';
  state.className = 'connection' + (connected ? ' live' : '');
}

// Follows one event stream; the browser reconnects by itself (the server asks for 1 s), and a
// stream the server refused is opened again after 2 s.
function follow(url, handlers) {
  if (view.source) view.source.close();
  const source = new EventSource(url);
  view.source = source;
  source.onopen = () => setConnected(true);
  source.onerror = () => {
    setConnected(false);
    if (source.readyState === EventSource.CLOSED) setTimeout(() => { if (view.source === source) follow(url, handlers); }, 2000);
  };
  for (const [name, handler] of Object.entries(handlers)) {
    source.addEventListener(name, (event) => { setConnected(true); handler(JSON.parse(event.data)); });
  }
}

function showNotices(notices) {
  document.getElementById('notices').replaceChildren(...(notices || []).map((notice) => h('li', {}, notice)));
}

// --- Routing --------------------------------------------------------------------------------

function route() {
  const match = location.hash.match(/^#\/rollouts\/([^/]+)\/([^/]+)$/);
  view.actionResult = null;
  if (match) {
    view.release = null;
    render();
    follow('/api/rollouts/' + match[1] + '/' + match[2], {
      release: (page) => { view.release = page; showNotices([]); render(); },
      missing: (problem) => { view.release = { missing: problem.message }; showNotices(problem.notices); render(); },
    });
  } else {
    view.release = undefined;
    render();
    follow('/api/overview', { overview: (overview) => { view.overview = overview; showNotices(overview.notices); render(); } });
  }
}

function render() {
  const main = document.getElementById('main');
  const focused = document.activeElement && document.activeElement.id;
  main.replaceChildren(view.release === undefined ? renderOverview() : renderRelease());
  if (focused === 'search') {
    const search = document.getElementById('search');
    search.focus();
    search.setSelectionRange(search.value.length, search.value.length);
  }
}

// --- Overview -------------------------------------------------------------------------------

function matches(row) {
  const text = [row.namespace, row.name, row.group, row.phase, row.activeRevision, row.greenRevision, row.message].join(' ').toLowerCase();
  if (view.search && !view.search.toLowerCase().split(/\s+/).every((word) => text.includes(word))) return false;
  if (view.phase === 'in-flight') return IN_FLIGHT.includes(row.phase);
  if (view.phase === 'attention') return ATTENTION.includes(row.phase) || row.paused;
  return !view.phase || row.phase === view.phase;
}

function renderOverview() {
  const overview = view.overview;
  if (!overview) return h('p', { class: 'empty' }, 'Reading Rollouts…');
  const rows = overview.rollouts.filter(matches);
  const groups = new Map(overview.groups.map((group) => [group.namespace + '/' + group.name, group]));
  const inFlight = overview.rollouts.filter((row) => IN_FLIGHT.includes(row.phase)).length;
  const attention = overview.rollouts.filter((row) => ATTENTION.includes(row.phase)).length;
  const phases = [...new Set(overview.rollouts.map((row) => row.phase))].sort();
  const controls = h('div', { class: 'controls' },
    h('input', { id: 'search', type: 'search', placeholder: 'Search name, namespace, group, revision, message', value: view.search,
      oninput: (event) => { view.search = event.target.value; render(); } }),
    h('select', { id: 'phase-filter', onchange: (event) => { view.phase = event.target.value; render(); } },
      h('option', { value: '' }, 'All phases'),
      h('option', { value: 'in-flight', selected: view.phase === 'in-flight' }, 'Releases in flight'),
      h('option', { value: 'attention', selected: view.phase === 'attention' }, 'Needs attention'),
      phases.map((phase) => h('option', { value: phase, selected: view.phase === phase }, phase))),
    h('span', { class: 'summary', id: 'summary' },
      overview.rollouts.length + ' rollouts · ' + inFlight + ' in flight · ' + attention + ' need attention' +
      (rows.length !== overview.rollouts.length ? ' · ' + rows.length + ' shown' : '')));
  const body = [];
  let lastGroup = null;
  for (const row of rows) {
    const groupKey = row.group ? row.namespace + '/' + row.group : null;
    if (groupKey && groupKey !== lastGroup) {
      const group = groups.get(groupKey);
      body.push(h('tr', { class: 'group-row', 'data-group': groupKey },
        h('td', {}, row.namespace), h('td', { colspan: 9 }, 'release group ' + row.group + ' ',
          group ? [phaseBadge(group.phase), group.step ? ' ' + group.step : '', group.ready ? ' · ' + group.ready + ' ready' : '',
            group.message ? ' · ' + group.message : '', renderGroupActions(group)] : '')));
    }
    lastGroup = groupKey;
    const key = row.namespace + '/' + row.name;
    body.push(h('tr', { class: 'rollout', 'data-key': key },
      h('td', {}, row.namespace),
      h('td', {}, row.group || ''),
      h('td', {}, h('a', { href: '#/rollouts/' + key, class: 'name' }, row.name)),
      h('td', { class: 'phase-cell' }, phaseBadge(row.phase, row.paused)),
      h('td', {}, weightBar(row.weight)),
      h('td', { class: 'rev active' }, row.activeRevision || '-'),
      h('td', { class: 'rev green' }, row.greenRevision || '-'),
      h('td', {}, row.step || ''),
      h('td', { title: when(row.created) }, age(row.created)),
      h('td', { class: 'message' }, row.message || '')));
  }
  const table = h('table', { id: 'rollouts' },
    h('thead', {}, h('tr', {}, ['Namespace', 'Group', 'Name', 'Phase', 'Weight', 'Active', 'Green', 'Step', 'Age', 'Message'].map((title) => h('th', {}, title)))),
    h('tbody', {}, body));
  const result = view.actionResult ? h('div', { class: 'result ' + (view.actionResult.ok ? 'ok' : 'error'), id: 'action-result' }, view.actionResult.message) : null;
  return h('div', {}, controls, result, rows.length ? table : h('p', { class: 'empty' }, overview.rollouts.length ? 'No Rollout matches.' : 'No Rollouts found.'));
}

// --- Release page ---------------------------------------------------------------------------

function renderRelease() {
  const page = view.release;
  const back = h('a', { href: '#/' }, '← all releases');
  if (!page) return h('div', {}, back, h('p', { class: 'empty' }, 'Reading the Rollout…'));
  if (page.missing) return h('div', {}, back, h('p', { class: 'empty', id: 'missing' }, page.missing));
  const release = page.view;
  const current = page.releases.length && !page.releases[0].record.outcome ? page.releases[0].record : null;
  return h('div', { id: 'release', 'data-key': release.namespace + '/' + release.name },
    back,
    h('h1', {}, release.namespace + '/' + release.name + ' ', phaseBadge(release.phase, release.paused)),
    h('p', { id: 'message' }, release.message || ''),
    renderActions(release),
    view.actionResult ? h('div', { class: 'result ' + (view.actionResult.ok ? 'ok' : 'error'), id: 'action-result' }, view.actionResult.message) : null,
    release.abort ? renderAbort(release.abort) : null,
    renderFacts(page),
    h('h2', {}, 'Steps'), renderSteps(page, current || (page.releases[0] && page.releases[0].record)),
    h('h2', {}, 'Analysis'), page.charts.length ? h('div', { class: 'charts' }, page.charts.map(renderChart)) : h('p', { class: 'empty' }, 'No metrics in the spec.'),
    release.hooks.length ? [h('h2', {}, 'Gate hooks'), renderHooks(release.hooks)] : null,
    page.pendingNotifications.length ? [h('h2', {}, 'Notifications not yet delivered'), renderNotifications(page.pendingNotifications)] : null,
    page.events.length ? [h('h2', {}, 'Events'), renderEvents(page.events)] : null,
    h('h2', {}, 'Revisions'), renderRevisions(release.revisions),
    h('h2', {}, 'Releases'), renderReleases(page.releases));
}

// The buttons that make sense in this phase; the server decides again and says why not.
function renderActions(release) {
  if (!token) return null;
  const phase = release.phase;
  const buttons = [];
  if (['Progressing', 'Canary', 'AwaitingApproval'].includes(phase)) buttons.push(['promote', 'Promote', '']);
  if (['Progressing', 'Canary', 'AwaitingApproval', 'HoldWindow'].includes(phase)) buttons.push(['promote-full', 'Promote fully', '']);
  if (IN_FLIGHT.includes(phase)) buttons.push(['abort', 'Abort', 'danger']);
  if (['RolledBack', 'Degraded'].includes(phase)) buttons.push(['retry', 'Retry', '']);
  buttons.push(release.paused ? ['resume', 'Resume', ''] : ['pause', 'Pause', '']);
  return h('div', { class: 'actions', id: 'actions' }, buttons.map(([action, label, style]) =>
    h('button', { class: style, 'data-action': action, onclick: () => act('rollouts', release, action, label) }, label)));
}

// A group's actions, in its overview row: approve the cutover, revert, release again.
function renderGroupActions(group) {
  if (!token) return null;
  const buttons = [];
  if (group.phase === 'AwaitingApproval') buttons.push(['promote', 'Promote', '']);
  if (IN_FLIGHT.includes(group.phase)) buttons.push(['abort', 'Abort', 'danger']);
  if (group.phase === 'RolledBack') buttons.push(['retry', 'Retry', '']);
  return buttons.length ? h('span', { class: 'actions inline' }, buttons.map(([action, label, style]) =>
    h('button', { class: style, 'data-action': action, 'data-group': group.namespace + '/' + group.name,
      onclick: () => act('releasegroups', group, action, label) }, label))) : null;
}

async function act(kind, object, action, label) {
  const what = (kind === 'rollouts' ? 'rollout ' : 'release group ') + object.namespace + '/' + object.name;
  if (!window.confirm(label + ' ' + what + '?')) return;
  try {
    const response = await fetch('/api/' + kind + '/' + object.namespace + '/' + object.name + '/' + action, {
      method: 'POST', headers: { 'X-Cutover-Token': token },
    });
    view.actionResult = await response.json();
  } catch (error) {
    view.actionResult = { ok: false, message: String(error) };
  }
  render();
}

function renderAbort(abort) {
  const numbers = abort.value !== undefined ? ' (value ' + number(abort.value) + (abort.limit !== undefined ? ', limit ' + number(abort.limit) : '') + ')' : '';
  return h('div', { class: 'abort', id: 'abort' }, h('strong', {}, 'Rolled back: ' + abort.reason), (abort.metric ? ' · ' + abort.metric : '') + numbers,
    h('div', {}, abort.message || ''), abort.at ? h('div', { class: 'summary' }, when(abort.at)) : null);
}

function renderFacts(page) {
  const release = page.view;
  const facts = [
    ['Weight', weightBar(release.weight)], ['Traffic', release.traffic || '-'],
    ['Active (blue)', h('span', { class: 'rev' }, release.activeRevision || '-')], ['Green', h('span', { class: 'rev' }, release.greenRevision || '-')],
  ];
  if (release.rolledBackRevision) facts.push(['Rolled back', h('span', { class: 'rev' }, release.rolledBackRevision)]);
  if (release.step) facts.push(['Step', release.step.number + ' of ' + release.step.of + ' at ' + release.step.weight + '%']);
  if (release.approvalReason) facts.push(['Waiting for', release.approvalReason]);
  if (release.holdUntil) facts.push(['Hold window until', when(release.holdUntil)]);
  if (release.promotion) facts.push(['Promotion gate', release.promotion]);
  if (release.score) facts.push(['Score', release.score.value + (release.score.result ? ' (' + release.score.result + ')' : '')]);
  if (page.group) facts.push(['Release group', page.group]);
  return h('div', { class: 'grid' }, facts.map(([label, value]) => h('div', { class: 'cell' }, h('div', { class: 'label' }, label), h('div', {}, value))));
}

function renderSteps(page, record) {
  const events = (record && record.timeline) || [];
  const reached = new Map(events.filter((event) => event.type === 'StepReached').map((event) => [event.step, event.at]));
  const release = page.view;
  const currentIndex = release.step ? release.step.number : null;
  const cutOver = events.find((event) => event.type === 'CutOver');
  const steps = page.steps.map((step, index) => {
    const number = index + 1;
    const state = currentIndex === number ? 'current' : reached.has(number) || cutOver ? 'done' : '';
    return h('div', { class: 'step ' + state, 'data-step': number }, h('div', {}, 'Step ' + number + ': ' + step.weight + '%'),
      h('div', { class: 'when' }, reached.has(number) ? 'reached ' + clock(reached.get(number)) : 'pause ' + step.pauseSeconds + 's'));
  });
  steps.push(h('div', { class: 'step ' + (cutOver ? 'done' : '') }, h('div', {}, 'Cutover: 100%'),
    h('div', { class: 'when' }, cutOver ? clock(cutOver.at) : '')));
  const timeline = h('table', { id: 'timeline' }, h('tbody', {}, events.map((event) =>
    h('tr', { 'data-type': event.type }, h('td', {}, clock(event.at)), h('td', {}, event.type), h('td', { class: 'message' }, event.message)))));
  return h('div', {}, h('div', { class: 'steps' }, steps), events.length ? [h('h2', {}, 'Timeline of revision ' + record.revision), timeline] : null);
}

// One metric: value (and blue's) against the limit over time; breaches are red points.
function renderChart(chart) {
  const width = 600, height = 200, left = 48, right = 10, top = 10, bottom = 24;
  const points = chart.points.filter((point) => point.value !== undefined && point.value !== null);
  const limitAt = (point) => {
    const limits = [];
    if (chart.max !== undefined) limits.push(chart.max);
    if (chart.min !== undefined) limits.push(chart.min);
    if (point && point.baseline !== undefined && point.baseline !== null) {
      if (chart.maxIncrease !== undefined) limits.push(point.baseline * (1 + chart.maxIncrease));
      if (chart.maxDecrease !== undefined) limits.push(point.baseline * (1 - chart.maxDecrease));
    }
    return limits;
  };
  const values = points.flatMap((point) => [point.value, point.baseline, ...limitAt(point)]).filter((value) => value !== undefined && value !== null);
  values.push(...limitAt(null));
  const low = Math.min(0, ...values), high = Math.max(...values, low + 1e-9) * 1.1;
  const times = chart.points.map((point) => Date.parse(point.at));
  const start = Math.min(...times), end = Math.max(...times, start + 1000);
  const x = (at) => left + ((Date.parse(at) - start) / (end - start)) * (width - left - right);
  const y = (value) => top + (1 - (value - low) / (high - low)) * (height - top - bottom);
  const line = (selected, cls) => {
    const defined = chart.points.filter((point) => selected(point) !== undefined && selected(point) !== null);
    return defined.length ? svg('polyline', { class: cls, points: defined.map((point) => x(point.at) + ',' + y(selected(point))).join(' ') }) : null;
  };
  const parts = [
    svg('line', { class: 'axis', x1: left, y1: height - bottom, x2: width - right, y2: height - bottom }),
    svg('text', { x: 2, y: top + 10 }, number(high)), svg('text', { x: 2, y: height - bottom }, number(low)),
  ];
  if (chart.points.length) {
    parts.push(svg('text', { x: left, y: height - 6 }, clock(chart.points[0].at)));
    parts.push(svg('text', { x: width - right - 52, y: height - 6 }, clock(chart.points[chart.points.length - 1].at)));
  }
  for (const fixed of [chart.max, chart.min]) {
    if (fixed !== undefined && fixed !== null) parts.push(svg('line', { class: 'limit', x1: left, x2: width - right, y1: y(fixed), y2: y(fixed) }));
  }
  if (chart.maxIncrease !== undefined) parts.push(line((point) => point.baseline === undefined ? undefined : point.baseline * (1 + chart.maxIncrease), 'limit'));
  if (chart.maxDecrease !== undefined) parts.push(line((point) => point.baseline === undefined ? undefined : point.baseline * (1 - chart.maxDecrease), 'limit'));
  parts.push(line((point) => point.baseline, 'baseline'), line((point) => point.value, 'value'));
  for (const point of points) {
    parts.push(svg('circle', { class: point.verdict, cx: x(point.at), cy: y(point.value), r: 3, 'data-verdict': point.verdict },
      svg('title', {}, clock(point.at) + ' ' + point.verdict + ': ' + number(point.value) + (point.message ? ' — ' + point.message : ''))));
  }
  const breaches = chart.points.filter((point) => point.verdict === 'Breach').length;
  return h('div', { class: 'chart', 'data-metric': chart.name },
    h('strong', {}, chart.name), ' ', h('span', { class: 'legend' }, chart.threshold + ' · ' + plural(chart.breaches, 'breach', 'breaches') +
      ' (' + chart.failureLimit + ' tolerated) · ' + plural(chart.points.length, 'measurement', 'measurements') + (breaches ? ', ' + breaches + ' breaching' : '')),
    chart.points.length ? svg('svg', { viewBox: '0 0 ' + width + ' ' + height, preserveAspectRatio: 'none' }, parts) : h('p', { class: 'empty' }, 'No measurement yet.'),
    h('div', { class: 'legend' }, 'blue line: green\'s value · dotted: blue\'s · red dashed: the limit · red points: breaches'));
}

function renderHooks(hooks) {
  return h('table', { id: 'hooks' }, h('thead', {}, h('tr', {}, ['Hook', 'Result', 'Started', 'Finished', 'Attempts', 'Answer'].map((title) => h('th', {}, title)))),
    h('tbody', {}, hooks.map((hook) => h('tr', {}, h('td', {}, hook.name), h('td', {}, hook.phase), h('td', {}, clock(hook.startedAt)),
      h('td', {}, clock(hook.finishedAt)), h('td', {}, hook.attempts || ''), h('td', { class: 'message' }, hook.message || '')))));
}

function renderNotifications(pending) {
  return h('table', {}, h('tbody', {}, pending.map((item) => h('tr', {}, h('td', {}, clock(item.event.at)), h('td', {}, item.event.type),
    h('td', {}, item.targets.join(', ')), h('td', { class: 'message' }, item.event.message)))));
}

// What `kubectl describe` lists: decisions, gate and notification failures, newest first.
function renderEvents(events) {
  return h('table', { id: 'events' }, h('thead', {}, h('tr', {}, ['Last seen', 'Type', 'Reason', 'Count', 'Message'].map((title) => h('th', {}, title)))),
    h('tbody', {}, events.map((event) => h('tr', { class: event.type === 'Warning' ? 'warning' : '' }, h('td', { title: when(event.last) }, clock(event.last)),
      h('td', {}, event.type || ''), h('td', {}, event.reason || ''), h('td', {}, event.count || 1), h('td', { class: 'message' }, event.message || '')))));
}

function renderRevisions(revisions) {
  return h('table', { id: 'revisions' }, h('thead', {}, h('tr', {}, ['Revision', 'Role', 'Deployment', 'Images', 'Ready', 'Created'].map((title) => h('th', {}, title)))),
    h('tbody', {}, revisions.map((revision) => h('tr', {}, h('td', { class: 'rev' }, revision.revision), h('td', {}, revision.role),
      h('td', {}, revision.deployment), h('td', { class: 'rev' }, revision.images.join(', ')),
      h('td', {}, revision.readyReplicas + '/' + revision.replicas), h('td', { title: when(revision.created) }, age(revision.created))))));
}

function renderReleases(releases) {
  if (!releases.length) return h('p', { class: 'empty' }, 'No release recorded yet.');
  return h('table', { id: 'releases' }, h('thead', {}, h('tr', {}, ['Revision', 'Started', 'Ended', 'Outcome', 'Report'].map((title) => h('th', {}, title)))),
    h('tbody', {}, releases.map(({ record, report }) => h('tr', { 'data-revision': record.revision },
      h('td', { class: 'rev' }, record.revision + (record.rollback ? ' (rollback)' : '')), h('td', {}, when(record.startedAt)), h('td', {}, when(record.endedAt)),
      h('td', {}, record.outcome ? record.outcome + (record.reason ? ': ' + record.reason : '') : 'in flight'),
      h('td', {}, h('details', { open: view.openReports.has(record.startedAt),
        ontoggle: (event) => { if (event.target.open) view.openReports.add(record.startedAt); else view.openReports.delete(record.startedAt); } },
        h('summary', {}, record.message || 'report'), h('pre', {}, report)))))));
}

window.addEventListener('hashchange', route);
document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('scope').textContent = document.querySelector('meta[name="cutover-scope"]').content;
  document.getElementById('mode').textContent = token ? 'actions allowed' : 'read-only';
  route();
  // Ages and countdowns move without the server.
  setInterval(() => { if (document.activeElement?.tagName !== 'SELECT') render(); }, 5000);
});

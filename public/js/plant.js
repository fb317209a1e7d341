/**
 * PLCs and datapoints: CRUD for alarms:admin; each PLC's connection live from `plc_status`
 * events, each datapoint's value and quality live from `values` messages (at most 4 a second).
 */
import { ApiError, del, describeError, patch, post } from './api.js';
import { createCollection } from './collection.js';
import { byId, fill, h, notice, reorder, setText, show } from './dom.js';
import { createEditor } from './editor.js';
import { createPlcRow } from './plc-row.js';
import { createPointRow } from './point-row.js';
import { startPage } from './shell.js';

const page = startPage({ needs: 'alarms:read', topics: ['config', 'system', 'values'] });
if (page) main(page);

function main({ client, can, connect }) {
  const plcs = createCollection(client, 'plc', '/api/plcs');
  const points = createCollection(client, 'datapoint', '/api/datapoints');
  const admin = can('alarms:admin');
  const status = byId('page-status');
  const plcFilter = byId('points-plc-filter');
  const plcRows = new Map();
  const pointRows = new Map();
  let loaded = false;

  show(byId('read-only-note'), !admin);
  show(byId('new-plc'), admin);
  show(byId('new-point'), admin);
  for (const el of document.querySelectorAll('.col-actions')) show(el, admin);

  const plcEditor = createEditor({
    sectionId: 'plc-editor',
    formId: 'plc-form',
    errorsId: 'plc-errors',
    titleId: 'plc-editor-title',
    fields: {
      name: 'text',
      host: 'text',
      port: 'int',
      unit_id: 'int',
      poll_interval_ms: 'int',
      timeout_ms: 'int',
      max_in_flight: 'int',
      enabled: 'bool',
    },
    defaults: { name: '', host: '', port: 502, unit_id: 1, poll_interval_ms: 1000, timeout_ms: 1000, max_in_flight: 1, enabled: true },
    titles: { create: 'Add PLC', edit: (p) => `Edit PLC “${p.name}”` },
    onOpen: () => pointEditor?.close(),
    save: (body, row) => (row ? patch(`/api/plcs/${row.id}`, body) : post('/api/plcs', body)),
    onSaved: (saved) => notice(status, `PLC “${saved.name}” saved.`, 'ok'),
  });
  const pointEditor = createEditor({
    sectionId: 'point-editor',
    formId: 'point-form',
    errorsId: 'point-errors',
    titleId: 'point-editor-title',
    fields: {
      plc_id: 'int',
      label: 'text',
      description: 'text',
      area: 'text',
      address: 'int',
      type: 'text',
      word_order: 'text',
      scale: 'number',
      offset: 'number',
      unit: 'text',
    },
    defaults: {
      plc_id: null,
      label: '',
      description: '',
      area: 'holding',
      address: 0,
      type: 'uint16',
      word_order: 'big',
      scale: 1,
      offset: 0,
      unit: '',
    },
    titles: { create: 'Add datapoint', edit: (d) => `Edit datapoint “${d.label}”` },
    onOpen: (row) => {
      plcEditor.close();
      fill(
        byId('point-plc'),
        plcs.list().map((p) => h('option', { value: String(p.id) }, p.name)),
      );
      if (!row && plcFilter.value) byId('point-plc').value = plcFilter.value;
    },
    save: (body, row) => (row ? patch(`/api/datapoints/${row.id}`, body) : post('/api/datapoints', body)),
    onSaved: (saved) => notice(status, `Datapoint “${saved.label}” saved.`, 'ok'),
  });

  // --- rows ----------------------------------------------------------------------------------

  function plcRow(plc) {
    let row = plcRows.get(plc.id);
    if (!row) plcRows.set(plc.id, (row = createPlcRow(admin && { edit: (p) => plcEditor.open(p), remove: removePlc })));
    row.update(plc);
    return row.tr;
  }

  function pointRow(dp) {
    let row = pointRows.get(dp.id);
    if (!row) pointRows.set(dp.id, (row = createPointRow(admin && { edit: (d) => pointEditor.open(d), remove: removePoint })));
    row.update(dp, plcs.get(dp.plc_id));
    return row.tr;
  }

  async function removePlc(plc) {
    if (!confirm(`Delete the PLC “${plc.name}”?`)) return;
    try {
      await del(`/api/plcs/${plc.id}`);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409))
        return notice(status, `Could not delete “${plc.name}”: ${describeError(err)}`, 'error');
      const n = points.list().filter((d) => d.plc_id === plc.id).length;
      if (!confirm(`“${plc.name}” still has ${n} datapoint(s). Delete them and the rules watching them too?`)) return;
      try {
        await del(`/api/plcs/${plc.id}?cascade=1`);
      } catch (again) {
        return notice(status, `Could not delete “${plc.name}”: ${describeError(again)}`, 'error');
      }
    }
    notice(status, `PLC “${plc.name}” deleted.`, 'ok');
  }

  async function removePoint(dp) {
    if (!confirm(`Delete the datapoint “${dp.label}” and every rule watching it?`)) return;
    try {
      await del(`/api/datapoints/${dp.id}`);
      notice(status, `Datapoint “${dp.label}” deleted.`, 'ok');
    } catch (err) {
      notice(status, `Could not delete “${dp.label}”: ${describeError(err)}`, 'error');
    }
  }

  // --- rendering -------------------------------------------------------------------------------

  function render() {
    const plcList = plcs.list().sort((a, b) => a.name.localeCompare(b.name));
    reorder(byId('plcs-body'), plcList.map(plcRow));
    for (const id of plcRows.keys()) if (!plcs.get(id)) plcRows.delete(id);
    show(byId('plcs-empty'), loaded && plcList.length === 0);
    setText(byId('plcs-count'), String(plcList.length));

    const chosen = plcFilter.value;
    fill(
      plcFilter,
      h('option', { value: '' }, 'All PLCs'),
      plcList.map((p) => h('option', { value: String(p.id) }, p.name)),
    );
    plcFilter.value = plcs.get(Number(chosen)) ? chosen : '';

    const filterId = Number(plcFilter.value) || null;
    const pointList = points
      .list()
      .filter((d) => filterId === null || d.plc_id === filterId)
      .sort((a, b) => (plcs.get(a.plc_id)?.name ?? '').localeCompare(plcs.get(b.plc_id)?.name ?? '') || a.label.localeCompare(b.label));
    reorder(byId('points-body'), pointList.map(pointRow));
    for (const id of pointRows.keys()) if (!points.get(id)) pointRows.delete(id);
    show(byId('points-empty'), loaded && pointList.length === 0);
    setText(byId('points-count'), String(pointList.length));
  }

  // Values come at most 4 a second; cells are written once per frame at most.
  const dirty = new Set();
  let framePending = false;
  client.on('values', (m) => {
    for (const v of m.values) {
      const dp = points.get(v.datapoint_id);
      if (!dp) continue;
      // `values` carries no reason for bad quality; keep the one the last read gave until good again.
      const error = v.quality === 'bad' ? dp.live?.error : undefined;
      points.patch(v.datapoint_id, { live: { value: v.value, quality: v.quality, ts: v.ts, ...(error && { error }) } });
      dirty.add(v.datapoint_id);
    }
    if (framePending) return;
    framePending = true;
    requestAnimationFrame(() => {
      framePending = false;
      for (const id of dirty) pointRows.get(id)?.live(points.get(id)?.live);
      dirty.clear();
    });
  });
  client.on('plc_status', (e) => {
    const plc = plcs.get(e.plc_id);
    if (!plc) return;
    const old = plc.status ?? {};
    plcs.patch(e.plc_id, {
      status: { connected: e.connected, last_error: e.error, last_ok_at: e.connected ? e.ts : (old.last_ok_at ?? null) },
    });
    plcRows.get(e.plc_id)?.update(plcs.get(e.plc_id));
  });

  plcs.onChange(render);
  points.onChange(render);
  plcFilter.addEventListener('change', render);
  byId('new-plc').addEventListener('click', () => plcEditor.open(null));
  byId('new-point').addEventListener('click', () => {
    if (plcs.list().length === 0) return notice(status, 'Add a PLC first: every datapoint belongs to one.', 'error');
    pointEditor.open(null);
  });

  Promise.all([plcs.load(), points.load()])
    .then(() => {
      loaded = true;
      render();
    })
    .catch((err) => notice(status, `Could not load the plant: ${describeError(err)}`, 'error'));
  connect();
}

/** The rule form: fills from a rule, reads back the SPEC 3 body, and keeps the datapoint picker current. */
import { byId, fill, h } from './dom.js';
import { datapointName } from './collection.js';
import { createScheduleEditor } from './schedule-editor.js';

export function createRuleForm(plcs, datapoints) {
  const form = byId('rule-form');
  const picker = byId('rule-datapoint');
  const finder = byId('rule-datapoint-find');
  const suppressPicker = byId('rule-suppress-datapoint');
  const suppressed = byId('rule-suppressed');
  const suppressFields = byId('suppression-fields');
  const schedule = createScheduleEditor();
  const f = form.elements;

  /** Options grouped by PLC; each names the description, label, unit and PLC, never a bare id. */
  function fillPicker() {
    fillOptions(picker);
    fillOptions(suppressPicker);
    filterPicker();
  }

  function fillOptions(select) {
    const chosen = select.value;
    const byPlc = new Map();
    for (const dp of datapoints.list()) {
      if (!byPlc.has(dp.plc_id)) byPlc.set(dp.plc_id, []);
      byPlc.get(dp.plc_id).push(dp);
    }
    const groups = [...byPlc.entries()]
      .map(([plcId, list]) => ({
        plc: plcs.get(plcId),
        list: list.sort((a, b) => (a.description || a.label).localeCompare(b.description || b.label)),
      }))
      .sort((a, b) => (a.plc?.name ?? '').localeCompare(b.plc?.name ?? ''));
    fill(
      select,
      h('option', { value: '' }, 'Choose a datapoint…'),
      groups.map(({ plc, list }) =>
        h(
          'optgroup',
          { label: plc ? `PLC ${plc.name} (${plc.host}:${plc.port})` : 'Unknown PLC' },
          list.map((dp) => h('option', { value: String(dp.id) }, datapointName(dp, plc))),
        ),
      ),
    );
    select.value = chosen;
  }

  function filterPicker() {
    const words = finder.value.toLowerCase().split(/\s+/).filter(Boolean);
    let firstMatch = null;
    for (const option of picker.querySelectorAll('option[value]:not([value=""])')) {
      const match = words.every((w) => option.textContent.toLowerCase().includes(w));
      option.hidden = !match;
      if (match) firstMatch ??= option;
    }
    const selected = picker.selectedOptions[0];
    if (words.length && firstMatch && (!selected || selected.hidden || !selected.value)) picker.value = firstMatch.value;
  }
  finder.addEventListener('input', filterPicker);
  suppressed.addEventListener('change', () => (suppressFields.hidden = !suppressed.checked));
  plcs.onChange(fillPicker);
  datapoints.onChange(fillPicker);

  const numberOrNull = (input) => (input.value.trim() === '' ? null : Number(input.value));
  const numberOr = (input, fallback) => (input.value.trim() === '' ? fallback : Number(input.value));

  return {
    form,
    set(rule) {
      form.reset();
      finder.value = '';
      fillPicker();
      f.name.value = rule?.name ?? '';
      picker.value = rule ? String(rule.datapoint_id) : '';
      f.severity.value = rule?.severity ?? 'medium';
      f.comparison.value = rule?.comparison ?? 'above';
      f.warning_threshold.value = rule?.warning_threshold ?? '';
      f.alarm_threshold.value = rule?.alarm_threshold ?? '';
      f.deadband.value = rule?.deadband ?? 0;
      f.on_delay_ms.value = rule?.on_delay_ms ?? 0;
      f.off_delay_ms.value = rule?.off_delay_ms ?? 0;
      f.enabled.checked = rule?.enabled ?? true;
      f.escalate_after_s.value = rule?.escalate_after_s ?? '';
      const when = rule?.suppress_when ?? null;
      suppressed.checked = when !== null;
      suppressFields.hidden = when === null;
      suppressPicker.value = when ? String(when.datapoint_id) : '';
      f.suppress_comparison.value = when?.comparison ?? 'equal';
      f.suppress_value.value = when?.value ?? '';
      schedule.set(rule?.schedule ?? null);
    },
    /** The body for POST or PATCH; the server validates it and names what is wrong. */
    read() {
      return {
        name: f.name.value,
        datapoint_id: picker.value ? Number(picker.value) : null,
        severity: f.severity.value,
        comparison: f.comparison.value,
        warning_threshold: numberOrNull(f.warning_threshold),
        alarm_threshold: numberOrNull(f.alarm_threshold),
        deadband: numberOr(f.deadband, 0),
        on_delay_ms: numberOr(f.on_delay_ms, 0),
        off_delay_ms: numberOr(f.off_delay_ms, 0),
        schedule: schedule.read(),
        enabled: f.enabled.checked,
        escalate_after_s: numberOrNull(f.escalate_after_s),
        suppress_when: suppressed.checked
          ? {
              datapoint_id: suppressPicker.value ? Number(suppressPicker.value) : null,
              comparison: f.suppress_comparison.value,
              value: numberOrNull(f.suppress_value),
            }
          : null,
      };
    },
  };
}

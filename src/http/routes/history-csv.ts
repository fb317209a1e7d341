import type { JournalEvent } from '../../journal/events.js';

/** SPEC 13: the columns of a history export, in order. */
export const HISTORY_CSV_HEADER = [
  'id',
  'ts',
  'topic',
  'type',
  'rule_id',
  'rule_name',
  'plc_id',
  'state',
  'previous_state',
  'value',
  'user',
  'comment',
] as const;

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/**
 * One field as RFC 4180 wants it: quoted when it holds a comma, a quote or a line break, quotes
 * doubled. Text that a spreadsheet would run as a formula (= + - @, tab, CR at the start) gets
 * a leading apostrophe: names and comments come from users, and this file is opened in Excel.
 */
function field(value: string | number | null, isText: boolean): string {
  if (value === null) return '';
  let s = String(value);
  if (isText && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One event as a CSV line (CRLF-terminated); what an event type does not have stays empty. */
export function historyCsvLine(e: JournalEvent): string {
  const p = e.payload;
  const rule = (p['rule'] ?? null) as { name?: unknown } | null;
  const plc = (p['plc'] ?? null) as { id?: unknown } | null;
  const cells: [string | number | null, boolean][] = [
    [e.id, false],
    [e.ts, false],
    [e.topic, false],
    [e.type, false],
    [e.rule_id ?? num(p['rule_id']), false],
    [text(p['rule_name']) ?? text(rule?.name), true],
    [num(p['plc_id']) ?? num(plc?.id), false],
    [text(p['state']), false],
    [text(p['previous_state']), false],
    [num(p['value']), false],
    [text(p['user']), true],
    [text(p['comment']), true],
  ];
  return `${cells.map(([v, isText]) => field(v, isText)).join(',')}\r\n`;
}

export const historyCsvHeader = () => `${HISTORY_CSV_HEADER.join(',')}\r\n`;

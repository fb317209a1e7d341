import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HISTORY_CSV_HEADER } from '../src/http/routes/history-csv.js';
import { startRestApp, type TestApp } from './helpers/test-app.js';

let t: TestApp;
let token: string;
let rule: { id: number };
beforeAll(async () => {
  t = await startRestApp();
  token = await t.login();
  const plc = await t.call('POST', '/api/plcs', { token, body: { name: '=HYPERLINK("http://evil")', host: '127.0.0.1' } });
  const point = await t.call('POST', '/api/datapoints', {
    token,
    body: { plc_id: plc.json.id, label: 'LT1', area: 'holding', address: 0, type: 'uint16' },
  });
  rule = (
    await t.call('POST', '/api/rules', {
      token,
      body: { datapoint_id: point.json.id, name: 'Tank "A", level high', severity: 'high', comparison: 'above', alarm_threshold: 50 },
    })
  ).json;
  await t.call('POST', '/api/rules', {
    token,
    body: { datapoint_id: point.json.id, name: '=cmd|" /C calc"!A0', severity: 'low', comparison: 'above', alarm_threshold: 90 },
  });
  // A journal long enough to span several of the export's pages.
  await t.app.journal.append(Array.from({ length: 4500 }, (_, i) => ({ topic: 'system' as const, type: 'bench', payload: { n: i } })));
});
afterAll(() => t.stop());

/** Parses RFC 4180 text: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    } else cell += ch;
  }
  return rows;
}

const csv = async (query: string, headers: Record<string, string> = {}) => {
  const res = await t.app.request(`/api/alarms/history${query}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
};

describe('GET /api/alarms/history as CSV', () => {
  it('answers RFC 4180 CSV with the SPEC header, one row per event, for ?format=csv or Accept: text/csv', async () => {
    const byQuery = await csv('?format=csv');
    expect(byQuery.status).toBe(200);
    expect(byQuery.type).toMatch(/^text\/csv/);
    const rows = parseCsv(byQuery.text);
    expect(rows[0]).toEqual([...HISTORY_CSV_HEADER]);
    const json = await t.call('GET', '/api/alarms/history?limit=1000', { token });
    expect(rows.slice(1, 1001).map((r) => Number(r[0]))).toEqual(json.json.events.map((e: { id: number }) => e.id));
    expect(rows).toHaveLength(1 + 1 + 4 + 4500); // header, the sign-in, the four config events, the appended ones
    expect((await csv('', { accept: 'text/csv' })).text).toBe(byQuery.text);
  });

  it('quotes what needs quoting and keeps spreadsheets from running names as formulas', async () => {
    const rows = parseCsv((await csv(`?format=csv&rule_id=${rule.id}`)).text);
    const created = rows.find((r) => r[3] === 'rule_created')!;
    expect(created[4]).toBe(String(rule.id));
    expect(created[5]).toBe('Tank "A", level high');
    const rows2 = parseCsv((await csv('?format=csv&limit=10')).text);
    expect(rows2.find((r) => r[5]?.includes('calc'))![5]).toBe(`'=cmd|" /C calc"!A0`);
    expect(rows2.every((r) => r.every((cell) => !cell.startsWith('=')))).toBe(true);
  });

  it('takes the same filters and pages, up to 100000 rows a request', async () => {
    const all = parseCsv((await csv('?format=csv')).text).slice(1);
    const part = parseCsv((await csv(`?format=csv&after_id=${all[1]![0]}&limit=2500`)).text).slice(1);
    expect(part.map((r) => r[0])).toEqual(all.slice(2, 2502).map((r) => r[0]));
    expect((await csv('?format=csv&limit=100001')).status).toBe(400);
    expect((await t.call('GET', '/api/alarms/history?limit=1001', { token })).status).toBe(400);
    expect((await csv('?format=xml')).status).toBe(400);
  });
});

import type { Stats } from './stats.js';

// Label values are user names and ids: escape as the exposition format requires.
const label = (value: string | number) => String(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Renders the stats in the Prometheus text exposition format. */
export function toPrometheus(s: Stats): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: [labels: string, value: number | null][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) if (value !== null) lines.push(`${name}${labels} ${value}`);
  };

  metric('alarm_server_node_info', 'gauge', 'This server; its node name in a cluster.', [[`{node="${label(s.node)}"}`, 1]]);
  metric(
    'alarm_server_connections',
    'gauge',
    'Open stream connections by transport.',
    Object.entries(s.connections.by_transport).map(([t, n]) => [`{transport="${label(t)}"}`, n]),
  );
  metric(
    'alarm_server_user_connections',
    'gauge',
    'Open stream connections by user.',
    Object.entries(s.connections.by_user).map(([u, n]) => [`{user="${label(u)}"}`, n]),
  );
  metric('alarm_server_events_published_total', 'counter', 'Events handed to the hub.', [['', s.events.published]]);
  metric('alarm_server_events_delivered_total', 'counter', 'Messages written to clients.', [['', s.events.delivered]]);
  metric('alarm_server_events_dropped_total', 'counter', 'Messages not written because the client was too slow.', [['', s.events.dropped]]);
  metric('alarm_server_slow_consumer_closes_total', 'counter', 'Streams closed for being too slow.', [['', s.events.slow_consumer_closes]]);
  metric(
    'alarm_server_plc_reads_total',
    'counter',
    'Modbus poll cycles per PLC.',
    s.plcs.map((p) => [`{plc_id="${p.plc_id}"}`, p.reads]),
  );
  metric(
    'alarm_server_plc_errors_total',
    'counter',
    'Failed Modbus poll cycles per PLC.',
    s.plcs.map((p) => [`{plc_id="${p.plc_id}"}`, p.errors]),
  );
  metric(
    'alarm_server_plc_latency_ms',
    'gauge',
    'Average Modbus poll latency per PLC.',
    s.plcs.map((p) => [`{plc_id="${p.plc_id}"}`, p.avg_latency_ms]),
  );
  metric('alarm_server_rule_evaluations_total', 'counter', 'Rule evaluations.', [['', s.rules.evaluations]]);
  return `${lines.join('\n')}\n`;
}

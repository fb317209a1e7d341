import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { freePort } from './free-port.js';
import { Inbox } from './stream-clients.js';

/** The machine's broker (node-svc starts Mosquitto before the session and CI). */
export const MACHINE_BROKER = 'mqtt://127.0.0.1:1883';

/** A broker of the test's own on a loopback port, to stop and start again (the machine's one is shared). */
export interface OwnBroker {
  url: string;
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops it for good and removes its config. */
  dispose(): Promise<void>;
}

export async function startOwnBroker(): Promise<OwnBroker> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type information\n`);
  let child: ChildProcess | null = null;

  async function start(): Promise<void> {
    const proc = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      proc.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes(' running')) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`mosquitto exited (${code}): ${log}`)));
      proc.once('error', reject);
    });
  }

  async function stop(): Promise<void> {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    await exited;
  }

  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    start,
    stop,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Received {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
}

/** A second MQTT client that records what it receives on `filter`. */
export async function subscriber(url: string, filter: string): Promise<{ client: MqttClient; inbox: Inbox<Received> }> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  const inbox = new Inbox<Received>();
  client.on('message', (topic, payload, packet) => {
    inbox.push({ topic, payload: payload.toString(), qos: packet.qos, retain: packet.retain });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  return { client, inbox };
}

import { randomUUID } from 'node:crypto';
import type { AlarmBody } from '../alarms/alarm-events.js';
import type { Clock } from '../kernel/clock.js';
import { AppError, notFound, unavailable, type ErrorCode, type ErrorDetail } from '../kernel/errors.js';
import type { Logger } from '../log/logger.js';

export const COMMAND_CHANNEL = 'alarm_command';
export const REPLY_CHANNEL = 'alarm_reply';
/** How long a command waits for the owner's answer (SPEC 12: it takes effect within 1 s). */
const ANSWER_MS = 3_000;

/** An operator's command on an alarm, as it travels to the node whose engine runs the rule. */
export type AlarmCommand =
  | { kind: 'ack'; rule_id: number; user: string; comment: string | null }
  | { kind: 'shelve'; rule_id: number; user: string; comment: string | null; duration_ms: number }
  | { kind: 'unshelve'; rule_id: number; user: string }
  | { kind: 'out_of_service'; rule_id: number; user: string; comment: string }
  | { kind: 'in_service'; rule_id: number; user: string; comment: string | null };

type Reply = { id: string; to: string } & ({ body: AlarmBody } | { error: { code: ErrorCode; message: string; details: ErrorDetail[] } });

/** The alarm commands of one engine: the node's own alarm service. */
export interface AlarmCommands {
  ack(ruleId: number, user: string, comment: string | null): Promise<AlarmBody>;
  shelve(ruleId: number, durationMs: number, user: string, comment: string | null): Promise<AlarmBody>;
  unshelve(ruleId: number, user: string): Promise<AlarmBody>;
  outOfService(ruleId: number, user: string, comment: string): Promise<AlarmBody>;
  returnToService(ruleId: number, user: string, comment: string | null): Promise<AlarmBody>;
}

export interface CommandRelayOptions {
  /** This node's name. */
  self(): string;
  local: AlarmCommands;
  /** Whether this node's engine runs the rule now. */
  owns(ruleId: number): boolean;
  ruleExists(ruleId: number): Promise<boolean>;
  notify(channel: string, payload: string): Promise<void>;
  clock: Clock;
  log: Logger;
}

/**
 * Ack, shelve, unshelve and out of service on any node. A rule's state lives in the engine of the node that
 * polls its PLC, and only that engine changes it; a command made elsewhere is sent there over
 * NOTIFY and the answer comes back the same way. A notification is not durable, and need not
 * be: an operator whose command got no answer is told 503 and asks again.
 */
export function createCommandRelay(options: CommandRelayOptions): AlarmCommands & {
  received(channel: string, payload: string): void;
} {
  const { local, clock, log } = options;
  const waiting = new Map<string, { resolve(body: AlarmBody): void; reject(err: Error): void; timer: unknown }>();

  function run(c: AlarmCommand): Promise<AlarmBody> {
    switch (c.kind) {
      case 'ack':
        return local.ack(c.rule_id, c.user, c.comment);
      case 'shelve':
        return local.shelve(c.rule_id, c.duration_ms, c.user, c.comment);
      case 'unshelve':
        return local.unshelve(c.rule_id, c.user);
      case 'out_of_service':
        return local.outOfService(c.rule_id, c.user, c.comment);
      case 'in_service':
        return local.returnToService(c.rule_id, c.user, c.comment);
    }
  }

  async function send(c: AlarmCommand): Promise<AlarmBody> {
    if (options.owns(c.rule_id)) return run(c);
    if (!(await options.ruleExists(c.rule_id))) throw notFound('alarm');
    const id = randomUUID();
    const answer = new Promise<AlarmBody>((resolve, reject) => {
      const timer = clock.setTimer(clock.now() + ANSWER_MS, () => {
        waiting.delete(id);
        reject(unavailable('The node that polls this alarm did not answer; try again'));
      });
      waiting.set(id, { resolve, reject, timer });
    });
    try {
      await options.notify(COMMAND_CHANNEL, JSON.stringify({ id, from: options.self(), command: c }));
    } catch (err) {
      clock.clearTimer(waiting.get(id)?.timer);
      waiting.delete(id);
      throw unavailable(`The command cannot be sent: ${String(err)}`);
    }
    return answer;
  }

  async function answer(id: string, to: string, c: AlarmCommand): Promise<void> {
    let reply: Reply;
    try {
      reply = { id, to, body: await run(c) };
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError('internal', 'Internal error');
      reply = { id, to, error: { code: e.code, message: e.message, details: e.details } };
    }
    await options.notify(REPLY_CHANNEL, JSON.stringify(reply));
  }

  return {
    ack: (rule_id, user, comment) => send({ kind: 'ack', rule_id, user, comment }),
    shelve: (rule_id, duration_ms, user, comment) => send({ kind: 'shelve', rule_id, user, comment, duration_ms }),
    unshelve: (rule_id, user) => send({ kind: 'unshelve', rule_id, user }),
    outOfService: (rule_id, user, comment) => send({ kind: 'out_of_service', rule_id, user, comment }),
    returnToService: (rule_id, user, comment) => send({ kind: 'in_service', rule_id, user, comment }),

    /** A notification on COMMAND_CHANNEL or REPLY_CHANNEL. */
    received(channel, payload) {
      try {
        if (channel === COMMAND_CHANNEL) {
          const { id, from, command } = JSON.parse(payload) as { id: string; from: string; command: AlarmCommand };
          if (from === options.self() || !options.owns(command.rule_id)) return;
          answer(id, from, command).catch((err: unknown) =>
            log.error(`cluster: answering a ${command.kind} from ${from} failed: ${String(err)}`),
          );
        } else if (channel === REPLY_CHANNEL) {
          const reply = JSON.parse(payload) as Reply;
          if (reply.to !== options.self()) return;
          const w = waiting.get(reply.id);
          if (!w) return;
          waiting.delete(reply.id);
          clock.clearTimer(w.timer);
          if ('body' in reply) w.resolve(reply.body);
          else w.reject(new AppError(reply.error.code, reply.error.message, reply.error.details));
        }
      } catch (err) {
        log.error(`cluster: a malformed ${channel} notification: ${String(err)}`);
      }
    },
  };
}

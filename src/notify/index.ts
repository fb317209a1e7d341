/** Notifications (SPEC 14): what the app wires in. */
export {
  ALARM_EVENT_TYPES,
  NotifierInput,
  mergePatch,
  notifierView,
  type MqttNotifierConfig,
  type Notifier,
  type NotifierConfig,
  type WebhookNotifierConfig,
} from './notifier.js';
export { createDelivery, type Delivery, type DeliveryOptions } from './delivery.js';
export { cursorAt, type CursorStore, type DeliveryCursor, type SavedProgress } from './delivery-cursor.js';
export type { DeliveryCounters, DeliveryState, DeliveryStatus } from './delivery-status.js';
export { runNotifier, type NotifierDeps, type RunningNotifier } from './notifier-runner.js';
export { sinkFor, type SinkDeps } from './notifier-sink.js';
export { testMessage, type Outgoing, type RuleInfo, type RuleLookup } from './outgoing.js';
export type { Sink } from './sink.js';
export { DeliveryFailure, type DeliveryFailureCode } from './delivery-error.js';
export { webhookSignature } from './webhook.js';
export { createNotifications, type Notifications, type NotificationsOptions } from './notifications.js';
export type { NotifierService, NotifierStatus, TestResult } from './notifier-service.js';

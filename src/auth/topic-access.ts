import { TOPICS, type Topic } from '../kernel/enums.js';
import { hasPermission, type Permission } from './permissions.js';

/**
 * Who may read each journal topic (SPEC 5); null: everyone, for their own events only (items
 * are per owner, and the owner check happens where events are read).
 */
const TOPIC_PERMISSION: Record<Topic, Permission | null> = {
  alarms: 'alarms:read',
  audit: 'users:admin',
  config: 'alarms:read',
  system: 'alarms:read',
  items: null,
};

/** The journal topics a holder of `permissions` may read, in TOPICS order: streams and history alike. */
export function readableTopics(permissions: readonly string[]): Topic[] {
  return TOPICS.filter((topic) => {
    const needed = TOPIC_PERMISSION[topic];
    return needed === null || hasPermission(permissions, needed);
  });
}

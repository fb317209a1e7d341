/** Permissions and roles of SPEC section 2. */
export const PERMISSIONS = ['alarms:read', 'alarms:ack', 'alarms:admin', 'users:admin'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['admin', 'operator', 'viewer', 'user'] as const;
export type Role = (typeof ROLES)[number];

/** What each role is granted; `alarms:*` stands for every `alarms:` permission. */
export const ROLE_PERMISSIONS: Record<Role, readonly string[]> = {
  admin: ['alarms:*', 'users:admin'],
  operator: ['alarms:read', 'alarms:ack'],
  viewer: ['alarms:read'],
  user: [],
};

/** True when `granted` includes `needed`, directly or through a `prefix:*` wildcard. */
export function hasPermission(granted: readonly string[], needed: Permission): boolean {
  const prefix = needed.slice(0, needed.indexOf(':') + 1);
  return granted.some((p) => p === needed || p === `${prefix}*`);
}

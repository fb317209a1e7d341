import type { UserService } from '../../auth/user-service.js';
import { User, UserCreate, UserPatch } from '../../auth/user.js';
import { resourceRouter } from './resource-router.js';

export function userRoutes(users: UserService) {
  return resourceRouter({
    name: 'user',
    tag: 'users',
    shown: User,
    read: 'users:admin',
    write: 'users:admin',
    create: UserCreate,
    patch: UserPatch,
    list: () => users.list(),
    get: users.get,
    insert: users.create,
    update: users.update,
    remove: (id, _query, by) => users.remove(id, by),
  });
}

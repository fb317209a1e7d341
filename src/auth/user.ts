import * as v from 'valibot';
import { ROLES } from './permissions.js';
import { Username as username } from './username.js';

// Long enough to resist guessing; bounded so a megabyte "password" cannot pin the hasher.
const password = v.pipe(v.string(), v.minLength(8), v.maxLength(1024));
const role = v.picklist(ROLES);

/** Body of `POST /api/users`. */
export const UserCreate = v.strictObject({ username, password, role });

/** Body of `PATCH /api/users/{id}`. */
export const UserPatch = v.partial(v.strictObject({ username, password, role }));

/** Body of `POST /api/auth/login`: loose on purpose, a wrong password is a 401 not a 400. */
export const LoginBody = v.strictObject({
  username: v.pipe(v.string(), v.minLength(1), v.maxLength(256)),
  password: v.pipe(v.string(), v.minLength(1), v.maxLength(1024)),
});

/** A user as the API returns it: never the password hash. */
export const User = v.strictObject({ id: v.number(), username: v.string(), role });
export type User = v.InferOutput<typeof User>;

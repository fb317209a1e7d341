/**
 * `true` when A and B are the same type, else `false`: `true satisfies SameType<A, B>` makes the
 * compiler hold a hand-written schema to the type the code builds, so the API reference cannot drift.
 */
export type SameType<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** An intersection of object types as one object type, so SameType compares fields, not how the type was written. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

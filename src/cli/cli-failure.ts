/** Exit codes of alarmctl: 1 the command failed, 2 it was used wrongly or cannot work with this database. */
export const EXIT = { failed: 1, usage: 2 } as const;

/** A failure alarmctl explains in one message and exits with. */
export class CliFailure extends Error {
  override name = 'CliFailure';

  constructor(
    message: string,
    readonly exitCode: (typeof EXIT)[keyof typeof EXIT] = EXIT.failed,
  ) {
    super(message);
  }
}

/**
 * Replays take turns: one page per turn of the event loop, whoever's it is. Each waiter is let
 * go from its own setImmediate, and an immediate queued while immediates run waits for the next
 * loop iteration, so requests and live events are served between any two pages however many
 * replays run at once (20 replays each yielding per page would otherwise do 20 pages a turn).
 */
export function replayTurns(): () => Promise<void> {
  const waiting: (() => void)[] = [];
  let scheduled = false;

  function schedule(): void {
    if (scheduled || waiting.length === 0) return;
    scheduled = true;
    setImmediate(function nextTurn() {
      scheduled = false;
      waiting.shift()?.();
      schedule();
    });
  }

  return function turn(): Promise<void> {
    return new Promise((resolve) => {
      waiting.push(resolve);
      schedule();
    });
  };
}

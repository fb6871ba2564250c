/**
 * Request timeouts with one timer instead of one per request: every request of a batcher has the
 * same timeoutMs, so submit order is deadline order and a FIFO of unanswered requests suffices.
 * Answered requests leave the FIFO lazily, from its head.
 */
import { Deque, type PendingRequest, SETTLED } from './batch-queue.js';

/** setTimeout's largest delay; longer timeouts re-arm until their deadline. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class RequestDeadlines {
  private readonly unanswered = new Deque<PendingRequest>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly timeoutMs: number,
    /** Called for each unanswered request whose deadline has passed; it must settle the request. */
    private readonly expire: (request: PendingRequest) => void,
    /** Called once after a round of expiries. */
    private readonly afterExpiries: () => void,
  ) {}

  track(request: PendingRequest): void {
    this.unanswered.push(request);
    if (this.timer === null) this.timer = setTimeout(this.onTimer, Math.min(this.timeoutMs, MAX_TIMER_MS));
  }

  /** Call after settling a request: drops answered ones from the head, stops the timer when none is left. */
  forgetAnswered(): void {
    const unanswered = this.unanswered;
    while (unanswered.length > 0 && unanswered.peek()!.state === SETTLED) unanswered.shift();
    if (unanswered.length === 0 && this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    const now = performance.now();
    let expired = false;
    for (let request = this.unanswered.peek(); request !== undefined; request = this.unanswered.peek()) {
      if (request.state !== SETTLED && request.deadline > now) break;
      this.unanswered.shift();
      if (request.state === SETTLED) continue;
      this.expire(request);
      expired = true;
    }
    const next = this.unanswered.peek();
    if (next !== undefined) {
      this.timer = setTimeout(this.onTimer, Math.min(Math.max(1, next.deadline - now), MAX_TIMER_MS));
    }
    if (expired) this.afterExpiries();
  };
}

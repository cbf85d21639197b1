// The reduce stage's own queue. The pool's queue is first come, first served only roughly
// (its balancer may hold a task back and run later ones first), and the reduce's order
// matters: every region's load before any index build, so that a worker with no load left
// builds indexes while the other loads the last region, instead of a load waiting behind them.

interface Waiting {
  priority: number;
  order: number;
  start: () => void;
}

/** Runs at most `slots` jobs at a time, highest priority first, then in the order added. */
export class PriorityScheduler {
  private running = 0;
  private added = 0;
  private readonly waiting: Waiting[] = [];

  constructor(private readonly slots: number) {}

  run<T>(priority: number, job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.running++;
        job()
          .then(resolve, reject)
          .finally(() => {
            this.running--;
            this.next();
          });
      };
      this.waiting.push({ priority, order: this.added++, start });
      this.next();
    });
  }

  private next(): void {
    while (this.running < this.slots && this.waiting.length > 0) {
      let best = 0;
      for (let i = 1; i < this.waiting.length; i++) {
        const w = this.waiting[i];
        const b = this.waiting[best];
        if (w.priority > b.priority || (w.priority === b.priority && w.order < b.order)) best = i;
      }
      const [chosen] = this.waiting.splice(best, 1);
      chosen.start();
    }
  }
}

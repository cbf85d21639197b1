import { describe, expect, it } from 'vitest';
import { PriorityScheduler } from '../../src/engine/schedule.js';

/** A job that records when it starts and ends when `release` is called. */
function gate() {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { done, release };
}

describe('the reduce stage scheduler', () => {
  it('runs at most its slots at once, higher priority first, then in the order added', async () => {
    const scheduler = new PriorityScheduler(2);
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const job = (name: string, priority: number) => {
      const g = gate();
      gates.set(name, g);
      return scheduler.run(priority, async () => {
        started.push(name);
        await g.done;
        return name;
      });
    };
    const results = [job('load-a', 1), job('load-b', 1), job('index-a', 0), job('load-c', 1), job('index-b', 0)];
    await Promise.resolve();
    expect(started).toEqual(['load-a', 'load-b']);
    gates.get('load-a')?.release();
    await new Promise((r) => setTimeout(r, 0));
    // load-c was added after index-a, but loads come first.
    expect(started).toEqual(['load-a', 'load-b', 'load-c']);
    gates.get('load-b')?.release();
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual(['load-a', 'load-b', 'load-c', 'index-a']);
    for (const g of gates.values()) g.release();
    await new Promise((r) => setTimeout(r, 0));
    gates.get('index-b')?.release();
    expect(await Promise.all(results)).toEqual(['load-a', 'load-b', 'index-a', 'load-c', 'index-b']);
    expect(started).toEqual(['load-a', 'load-b', 'load-c', 'index-a', 'index-b']);
  });

  it('a failed job passes its error on and frees its slot', async () => {
    const scheduler = new PriorityScheduler(1);
    const failing = scheduler.run(1, async () => {
      throw new Error('boom');
    });
    const next = scheduler.run(1, async () => 'ran');
    await expect(failing).rejects.toThrow('boom');
    expect(await next).toBe('ran');
  });
});

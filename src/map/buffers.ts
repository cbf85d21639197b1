// A worker's map buffers, kept from one map task to the next: the split's bytes and the region
// runs. Tasks of one thread never overlap, and allocating them afresh per task cost tens of MB
// of dead buffers per worker (see FactRunBuffer). Once a worker turns to a reduce or an index
// build, map tasks are over and the buffers go.
import type { Region } from '../rules/normalize.js';
import { FactRunBuffer } from './fact-run.js';
import type { RegionRuns } from './plain-record.js';

/** A map task's fact lines, one buffer per region. */
export class MapTaskRuns implements RegionRuns {
  readonly byRegion = new Map<Region, FactRunBuffer>();

  clear(): void {
    for (const run of this.byRegion.values()) run.clear();
  }

  of(region: Region): FactRunBuffer {
    let run = this.byRegion.get(region);
    if (run === undefined) {
      run = new FactRunBuffer();
      this.byRegion.set(region, run);
    }
    return run;
  }
}

class MapBuffers {
  private bytes: Buffer = Buffer.allocUnsafe(0);
  private regionRuns = new MapTaskRuns();

  /** A buffer of at least `length` bytes for a split. */
  splitBuffer(length: number): Buffer {
    if (this.bytes.length < length) this.bytes = Buffer.allocUnsafe(length);
    return this.bytes;
  }

  /** Keeps a grown split buffer for the next task; returns it. */
  keep(grown: Buffer): Buffer {
    this.bytes = grown;
    return grown;
  }

  /** The region runs, emptied for a new task. */
  runs(): MapTaskRuns {
    this.regionRuns.clear();
    return this.regionRuns;
  }

  release(): void {
    this.bytes = Buffer.allocUnsafe(0);
    this.regionRuns = new MapTaskRuns();
  }
}

export const mapBuffers = new MapBuffers();

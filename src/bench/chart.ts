// The chunk-size chart: throughput against chunk size, one line per worker count, drawn by
// vega-lite and rendered to SVG headlessly by vega.
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

export interface ThroughputPoint {
  chunk_bytes: number;
  workers: number;
  mb_per_s: number;
}

export async function throughputChart(points: readonly ThroughputPoint[], title: string): Promise<string> {
  const spec = vegaLite.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 560,
    height: 320,
    data: { values: points.map((p) => ({ ...p, chunk_mb: p.chunk_bytes / 1024 / 1024, workers: `${p.workers} worker${p.workers === 1 ? '' : 's'}` })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'chunk_mb', type: 'quantitative', scale: { type: 'log' }, title: 'chunk size (MB, log scale)' },
      y: { field: 'mb_per_s', type: 'quantitative', title: 'throughput (MB/s)' },
      color: { field: 'workers', type: 'nominal', title: 'workers' },
    },
  } as vegaLite.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  return view.toSVG();
}

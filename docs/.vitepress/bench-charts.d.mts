// Types of bench-charts.mjs, for the test that draws charts from a sample run.
export interface BenchDocument {
  environment?: { node?: string; cpu?: string; cpuCount?: number; quick?: boolean; date?: string };
  sections: { name: string; results?: unknown }[];
}
export function parseResults(text: string): BenchDocument;
export function verifyChart(section: unknown): string;
export function adapterChart(rows: unknown): string;
export function replaceBlock(page: string, block: string): string;
export function drawCharts(doc: BenchDocument, docsDir: URL): Promise<void>;

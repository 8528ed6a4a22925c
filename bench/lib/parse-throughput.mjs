// Shared by the transcript-parse benchmarks: time a parser against a bare JSON.parse of every
// line of the same text, alternating the two (best of N each) so machine noise hits both alike,
// print the figures, and end with the JSON line {"bench", "ratio", ...}.

function measure(fns, rounds) {
  const best = fns.map(() => ({ ms: Infinity, result: undefined }));
  for (let round = 0; round < rounds; round++) {
    fns.forEach((fn, index) => {
      const start = process.hrtime.bigint();
      const result = fn();
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (ms < best[index].ms) best[index] = { ms, result };
    });
  }
  return best;
}

/** @param {{ bench: string, parserName: string, text: string, parse: (text: string) => { blocks: unknown[], skipped: unknown[] } }} options */
export function compareWithJsonParse({ bench, parserName, text, parse }) {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
  const megabytes = Buffer.byteLength(text) / (1024 * 1024);
  const [baseline, parser] = measure(
    [
      () => {
        let count = 0;
        for (const line of text.split('\n')) if (line) { JSON.parse(line); count++; }
        return count;
      },
      () => parse(text),
    ],
    rounds,
  );
  const jsonParseMBps = megabytes / (baseline.ms / 1000);
  const parserMBps = megabytes / (parser.ms / 1000);
  console.log(`input: ${megabytes.toFixed(1)} MB, ${baseline.result} lines`);
  console.log(`JSON.parse per line: ${baseline.ms.toFixed(0)} ms, ${jsonParseMBps.toFixed(1)} MB/s`);
  console.log(`${parserName}: ${parser.ms.toFixed(0)} ms, ${parserMBps.toFixed(1)} MB/s, ${parser.result.blocks.length} blocks, ${parser.result.skipped.length} skipped lines`);
  console.log(JSON.stringify({
    bench,
    ratio: Number((parserMBps / jsonParseMBps).toFixed(3)),
    parserMBps: Number(parserMBps.toFixed(1)),
    jsonParseMBps: Number(jsonParseMBps.toFixed(1)),
    megabytes: Number(megabytes.toFixed(1)),
    blocks: parser.result.blocks.length,
  }));
}

import { defineConfig } from 'tsup';

export default defineConfig({
  // `./test`: the fake Modal server (test double for consumers' tests and the benchmarks); it
  // needs `nice-grpc` installed next to it.
  entry: { index: 'src/index.ts', test: 'test/fake-modal/index.ts' },
  external: ['modal', 'nice-grpc', '@bufbuild/protobuf'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});

/**
 * Loads the gRPC service definitions that `modal@0.11.1` bundles but does not export.
 *
 * The installed CommonJS bundle (`modal/dist/index.cjs`) declares `ModalClientDefinition` (control
 * plane) and `TaskCommandRouterDefinition` (per-sandbox command router) as top-level variables. We
 * read that file and compile a copy IN MEMORY as a fresh CommonJS module whose source has one extra
 * line exporting the two variables. Nothing under node_modules is written; `require`s inside the
 * copy resolve from the bundle's own directory, so it uses the same dependencies as the SDK.
 */
import { readFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import path from 'node:path';

/** A ts-proto generic service definition, as nice-grpc's server accepts it. */
export interface TsProtoServiceDefinition {
  readonly name: string;
  readonly fullName: string;
  readonly methods: Record<
    string,
    {
      readonly name: string;
      readonly requestStream: boolean;
      readonly responseStream: boolean;
      readonly requestType: unknown;
      readonly responseType: unknown;
    }
  >;
}

/** The two service definitions the fake server implements. */
export interface ModalDefinitions {
  readonly ModalClientDefinition: TsProtoServiceDefinition;
  readonly TaskCommandRouterDefinition: TsProtoServiceDefinition;
}

interface CompilableModule {
  filename: string;
  paths: string[];
  exports: Record<string, unknown>;
  _compile(source: string, filename: string): void;
}
interface ModuleInternals {
  new (id: string): CompilableModule;
  _nodeModulePaths(from: string): string[];
}

let cached: ModalDefinitions | undefined;

/** Resolve the installed SDK's CommonJS bundle, as seen from this package. */
export function modalBundlePath(): string {
  const require = createRequire(import.meta.url);
  return require.resolve('modal');
}

/** Load (once per process) the SDK's service definitions without touching node_modules. */
export function loadModalDefinitions(): ModalDefinitions {
  if (cached) return cached;
  const bundle = modalBundlePath();
  if (!bundle.endsWith('.cjs')) {
    throw new Error(`fake-modal: expected the CommonJS bundle of modal, got ${bundle}`);
  }
  const source = readFileSync(bundle, 'utf8');
  const Internals = Module as unknown as ModuleInternals;
  const copy = new Internals(`${bundle}#fake-modal-definitions`);
  copy.filename = bundle;
  copy.paths = Internals._nodeModulePaths(path.dirname(bundle));
  copy._compile(
    `${source}\n;module.exports.__fakeModalDefinitions = { ModalClientDefinition, TaskCommandRouterDefinition };\n`,
    bundle,
  );
  const definitions = copy.exports.__fakeModalDefinitions as ModalDefinitions | undefined;
  if (!definitions?.ModalClientDefinition?.methods || !definitions.TaskCommandRouterDefinition?.methods) {
    throw new Error('fake-modal: service definitions not found in the modal bundle (SDK version changed?)');
  }
  cached = definitions;
  return definitions;
}

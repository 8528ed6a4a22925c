/**
 * Test harness: start a fake and build a REAL `ModalClient` pointed at it.
 *
 * The SDK reads `MODAL_SERVER_URL` when a client is constructed, and `~/.modal.toml` (or
 * `MODAL_CONFIG_PATH`) when the module is first imported; so this sets both before a dynamic
 * import, so a developer's own Modal profile never leaks into tests.
 */
import type { ModalClient, ModalClientParams } from 'modal';
import { startFakeModal, type FakeModal, type FakeModalOptions } from './server.js';

/** A fake plus a real SDK client connected to it. */
export interface FakeModalHarness {
  readonly fake: FakeModal;
  readonly modal: ModalClient;
  /** Build another client (e.g. with other tokens) against the same fake. */
  connect(params?: ModalClientParams): Promise<ModalClient>;
  /** Close the client(s) and the fake. */
  close(): Promise<void>;
}

/** Point the SDK at `fake` through the environment (idempotent). */
export function useFakeModalEnv(fake: FakeModal): void {
  process.env.MODAL_SERVER_URL = fake.url;
  process.env.MODAL_CONFIG_PATH ??= '/nonexistent/fake-modal/.modal.toml';
  delete process.env.MODAL_PROFILE;
  delete process.env.MODAL_SANDBOX_V2;
}

/** Start a fake and a real ModalClient with fake tokens against it. */
export async function startFakeModalHarness(options: FakeModalOptions = {}): Promise<FakeModalHarness> {
  const fake = await startFakeModal(options);
  useFakeModalEnv(fake);
  const { ModalClient } = await import('modal');
  const clients: ModalClient[] = [];
  const connect = async (params: ModalClientParams = {}): Promise<ModalClient> => {
    useFakeModalEnv(fake);
    const client = new ModalClient({ tokenId: 'ak-fake', tokenSecret: 'as-fake', logLevel: 'error', ...params });
    clients.push(client);
    return client;
  };
  const modal = await connect();
  return {
    fake,
    modal,
    connect,
    async close() {
      for (const client of clients) client.close();
      await fake.close();
    },
  };
}

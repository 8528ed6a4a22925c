#!/usr/bin/env node
// `pnpm smoke:modal`: the Modal driver against REAL Modal, printing each step's time.
// Without MODAL_TOKEN_ID / MODAL_TOKEN_SECRET it prints a "skipped" line and exits 0.
// Needs the packages built: pnpm turbo run build --filter=@agent-runtime/sandbox-modal...
//
// Steps: image (build or cache hit) -> create -> both CLIs' --version inside the image -> a real
// turn per agent when ANTHROPIC_API_KEY / GEMINI_API_KEY is set -> resume in a new sandbox ->
// reattach after a "runtime restart" (a fresh provider) -> idle stop -> orphan reaping.
// Env: MODAL_SMOKE_APP (default agent-runtime-smoke), MODAL_MODEL_KEY_SECRET (a Modal Secret with
// the model keys: they then stay outside the sandbox), MODAL_SMOKE_IDLE_SECONDS (default 20).
// Cost: a few sandboxes for a few minutes at 1 core / 2 GiB, plus one image build the first time.
import { performance } from 'node:perf_hooks';

if (!process.env.MODAL_TOKEN_ID || !process.env.MODAL_TOKEN_SECRET) {
  console.log('smoke:modal skipped: set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET to run it against real Modal.');
  process.exit(0);
}

const { createModalSandboxProvider, MODAL_IMAGE_AGENT_PATHS } = await import('@agent-runtime/sandbox-modal');
const { createClaudeArchitecture } = await import('@agent-runtime/agent-claude');
const { createGeminiArchitecture } = await import('@agent-runtime/agent-gemini');

const appName = process.env.MODAL_SMOKE_APP ?? 'agent-runtime-smoke';
const deployment = `smoke-${process.pid}-${Date.now().toString(36)}`;
const idleSeconds = Number(process.env.MODAL_SMOKE_IDLE_SECONDS ?? 20);
const modelKeySecret = process.env.MODAL_MODEL_KEY_SECRET;
const logger = { debug() {}, info: (object, message) => console.log(`  · ${message}`), warn: (object, message) => console.warn(`  ! ${message}`), error: (object, message) => console.error(`  ! ${message}`) };
const options = { appName, deployment, logger, ...(modelKeySecret ? { modelKeySecret } : {}) };
const results = [];
let failed = false;

async function step(name, action) {
  const start = performance.now();
  try {
    const detail = await action();
    const ms = Math.round(performance.now() - start);
    results.push({ step: name, ms, ok: true });
    console.log(`ok   ${name} (${ms} ms)${typeof detail === 'string' ? `: ${detail}` : ''}`);
    return detail;
  } catch (error) {
    const ms = Math.round(performance.now() - start);
    failed = true;
    results.push({ step: name, ms, ok: false, error: String(error?.message ?? error) });
    console.log(`FAIL ${name} (${ms} ms): ${error?.message ?? error}`);
    return undefined;
  }
}

async function run(sandbox, command) {
  const child = await sandbox.exec(command);
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.wait()]);
  if (code !== 0) throw new Error(`${command.join(' ')} exited ${code}: ${stderr.trim().slice(-300)}`);
  return stdout.trim();
}

async function turn(architecture, sandbox, sessionId, message) {
  const profile = { id: 'smoke', name: 'smoke' };
  let last;
  for await (const event of architecture.runTurn({ sessionId, sandbox, profile, message, turnId: `t-${Date.now()}`, signal: new AbortController().signal })) last = event;
  if (last?.type !== 'turn:end' || last.outcome !== 'completed') throw new Error(`turn ended ${JSON.stringify(last)}`);
}

const provider = createModalSandboxProvider(options);
const sandboxes = [];
try {
  await step('image ready (build or cache)', () => provider.start());
  const sandbox = await step('create a sandbox', async () => {
    const created = await provider.create({ sessionId: 'smoke-main' });
    sandboxes.push(created);
    return created;
  });
  if (sandbox) {
    await step('claude --version in the image', () => run(sandbox, [MODAL_IMAGE_AGENT_PATHS.claudeExecutable, '--version']));
    await step('gemini --version in the image', () => run(sandbox, [MODAL_IMAGE_AGENT_PATHS.node, MODAL_IMAGE_AGENT_PATHS.geminiEntry, '--version']));
    await step('batched restore of 200 files', async () => {
      await sandbox.writeFiles(Array.from({ length: 200 }, (_, index) => ({ path: `restore/file-${index}.txt`, content: `file ${index}\n` })));
      return `${(await sandbox.listFiles({ directory: 'restore' })).length} files`;
    });

    const agents = [
      process.env.ANTHROPIC_API_KEY && {
        name: 'claude',
        make: () => createClaudeArchitecture({ executablePath: MODAL_IMAGE_AGENT_PATHS.claudeExecutable, env: { ANTHROPIC_API_KEY: process.env.ANTHROPIC_API_KEY } }),
      },
      process.env.GEMINI_API_KEY && {
        name: 'gemini',
        make: () =>
          createGeminiArchitecture({ nodePath: MODAL_IMAGE_AGENT_PATHS.node, cliEntryPath: MODAL_IMAGE_AGENT_PATHS.geminiEntry, env: { GEMINI_API_KEY: process.env.GEMINI_API_KEY } }),
      },
    ].filter(Boolean);
    if (agents.length === 0) console.log('skip real agent turns: set ANTHROPIC_API_KEY and/or GEMINI_API_KEY');
    for (const agent of agents) {
      const architecture = agent.make();
      const sessionId = `smoke-${agent.name}`;
      let transcripts;
      await step(`${agent.name}: a real turn`, async () => {
        const first = await provider.create({ sessionId, env: architecture.sandboxEnv() });
        sandboxes.push(first);
        await architecture.prepare({ sessionId, sandbox: first, profile: { id: 'smoke', name: 'smoke' } });
        await turn(architecture, first, sessionId, 'Reply with the single word: ready.');
        transcripts = await architecture.readTranscripts(first, sessionId);
        await first.terminate();
      });
      if (transcripts) {
        await step(`${agent.name}: resume in a new sandbox`, async () => {
          const second = await provider.create({ sessionId, env: architecture.sandboxEnv() });
          sandboxes.push(second);
          await architecture.prepare({ sessionId, sandbox: second, profile: { id: 'smoke', name: 'smoke' }, transcripts });
          await turn(architecture, second, sessionId, 'What was your previous reply? One word.');
          await second.terminate();
        });
      }
    }

    await step('reattach after a runtime restart (a fresh provider)', async () => {
      const restarted = createModalSandboxProvider(options);
      const found = (await restarted.list({ sessionId: 'smoke-main' })).filter((info) => info.running);
      if (found.length !== 1) throw new Error(`expected 1 running sandbox for the session, found ${found.length}`);
      const again = await restarted.attach(found[0].id);
      const text = await run(again, ['cat', 'restore/file-7.txt']);
      await restarted.close();
      return `read back "${text}"`;
    });

    await step(`idle stop (idle timeout ${idleSeconds} s)`, async () => {
      const idle = await provider.create({ sessionId: 'smoke-idle', limits: { idleTimeoutMs: idleSeconds * 1000 } });
      sandboxes.push(idle);
      const deadline = Date.now() + (idleSeconds + 120) * 1000;
      while (await idle.isRunning()) {
        if (Date.now() > deadline) throw new Error('still running long after its idle timeout');
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    });

    await step("orphan reaping (this deployment's sandboxes only)", async () => {
      const reaper = createModalSandboxProvider(options);
      const orphans = (await reaper.list()).filter((info) => info.running);
      for (const orphan of orphans) await (await reaper.attach(orphan.id)).terminate();
      const left = (await reaper.list()).filter((info) => info.running);
      await reaper.close();
      if (left.length > 0) throw new Error(`${left.length} sandboxes still running`);
      return `reaped ${orphans.length}`;
    });
  }
} finally {
  await Promise.all(sandboxes.map((sandbox) => sandbox.terminate().catch(() => undefined)));
  await provider.close();
}
console.log(JSON.stringify({ smoke: 'modal', appName, deployment, ok: !failed, steps: results }));
process.exit(failed ? 1 : 0);

export { FakeSessionEngine, createFakeSessionEngine, type FakeSessionEngineOptions } from './fake-session-engine.js';
export { startTestServer, type TestServer } from './test-server.js';
export { FrameSocket, type ReceivedEventFrame } from './frame-socket.js';

export { agentRuntimeSocketIoPlugin, type SocketIoDecoration } from './plugin.js';
export { resolveSocketIoOptions, type SocketIoPluginOptions, type ResolvedSocketIoOptions } from './options.js';
export { SocketIoBridge, type EventMeta, type SocketIoJoinResult } from './socketio-bridge.js';
export { isUnderPath } from './route-upgrades.js';

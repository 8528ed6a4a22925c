import { describe, expect, it } from 'vitest';
import { parseServerFrame } from './parse-server-frame.js';

describe('parseServerFrame', () => {
  it('acks: success with extra fields, failure with an error', () => {
    expect(parseServerFrame('{"ack":3,"result":{"success":true,"latestSeq":4}}')).toEqual({ kind: 'ack', ack: 3, result: { success: true, latestSeq: 4 } });
    expect(parseServerFrame('{"ack":4,"result":{"success":false,"error":{"code":"FORBIDDEN","message":"no"}}}')).toMatchObject({
      kind: 'ack',
      result: { success: false, error: { code: 'FORBIDDEN' } },
    });
    expect(parseServerFrame('{"ack":-1,"result":{"success":true}}')).toMatchObject({ kind: 'invalid', report: { code: 'INVALID_FRAME' } });
    expect(parseServerFrame('{"ack":5,"result":{"success":false}}')).toMatchObject({ kind: 'invalid' });
  });

  it('events: checked against the payload schema, data kept as sent', () => {
    const block = { id: 'b', timestamp: 't', type: 'assistant_text', content: '', extra: 'kept' };
    const parsed = parseServerFrame(JSON.stringify({ event: 'session:block:start', data: { sessionId: 's', conversationId: 'main', block }, seq: 1 }));
    expect(parsed).toEqual({ kind: 'event', known: true, frame: { event: 'session:block:start', data: { sessionId: 's', conversationId: 'main', block }, seq: 1 } });
    expect(parseServerFrame(Buffer.from('{"event":"sessions:list","data":{"sessions":[]}}'))).toMatchObject({ kind: 'event', known: true });
  });

  it('refuses what does not match, saying where', () => {
    expect(parseServerFrame('')).toMatchObject({ kind: 'invalid', report: { message: 'A server frame is not JSON.' } });
    expect(parseServerFrame('null')).toMatchObject({ kind: 'invalid', report: { message: 'A server frame is not a JSON object.' } });
    expect(parseServerFrame('{"data":{}}')).toMatchObject({ kind: 'invalid', report: { issues: [{ path: 'event' }] } });
    expect(parseServerFrame('{"event":"session:turn:end","data":{"sessionId":"s","turnId":"t","outcome":"done"},"seq":2}')).toMatchObject({
      kind: 'invalid',
      report: { event: 'session:turn:end', sessionId: 's', issues: [{ path: 'outcome' }] },
    });
    expect(parseServerFrame('{"event":"session:status","data":{"sessionId":"s","status":"active"},"seq":1.5}')).toMatchObject({ kind: 'invalid' });
    const long = parseServerFrame(`{"event":"error","data":{"message":${JSON.stringify('x'.repeat(1000))},"code":7}}`);
    expect(long.kind === 'invalid' && long.report.frame?.length).toBe(200);
  });
});

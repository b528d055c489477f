// A loopback stand-in for every upstream codex talks to, with its own CA (capture tests pass it
// with --upstream '*=127.0.0.1:PORT' --upstream-ca): the Responses API answers with an SSE stream
// that completes the turn, and so does its websocket (each event one text message, after the
// client's `response.create`); /v1/models and /backend-api/* answer JSON, everything else 404.
// Nothing here leaves 127.0.0.1.
import type { AddressInfo } from 'node:net';
import * as mockttp from 'mockttp';
import { WebSocketServer } from 'ws';
import { startOnLoopback } from '../../src/proxy/engine.js';

export const STUB_TEXT = 'stub upstream says ok';

export function responsesEvents(text = STUB_TEXT): Record<string, unknown>[] {
  const id = 'resp_codex_mitm_stub';
  const item = { id: 'msg_stub', type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
  const usage = { input_tokens: 42, input_tokens_details: { cached_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 47 };
  const events: Record<string, unknown>[] = [
    { type: 'response.created', response: { id, status: 'in_progress', output: [] } },
    { type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress', content: [] } },
    ...text.split(/(?<= )/).map((delta) => ({ type: 'response.output_text.delta', item_id: 'msg_stub', output_index: 0, content_index: 0, delta })),
    { type: 'response.output_item.done', output_index: 0, item },
    { type: 'response.completed', response: { id, status: 'completed', output: [item], usage } },
  ];
  return events;
}

export function responsesSse(text = STUB_TEXT): string {
  return responsesEvents(text)
    .map((e) => `event: ${e.type as string}\ndata: ${JSON.stringify(e)}\n\n`)
    .join('');
}

export interface StubUpstream {
  port: number;
  caPem: string;
  stop(): Promise<void>;
}

export async function startStubUpstream(): Promise<StubUpstream> {
  const ca = await mockttp.generateCACertificate({ subject: { commonName: 'codex-mitm test upstream CA' } });
  const server = mockttp.getLocal({ https: { key: ca.key, cert: ca.cert } });
  await server.forPost(/\/responses$/).always().thenReply(200, responsesSse(), { 'content-type': 'text/event-stream' });
  await server.forGet(/\/models/).always().thenJson(200, { object: 'list', data: [], models: [] });
  await server.forAnyRequest().withUrlMatching(/\/backend-api\//).always().thenJson(200, {});
  // websockets go on to a plain ws server on 127.0.0.1 that answers each request with the events
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type?: string };
      if (msg.type === 'response.create') for (const e of responsesEvents(STUB_TEXT + ' (websocket)')) socket.send(JSON.stringify(e));
    });
  });
  const wsPort = (wss.address() as AddressInfo).port;
  await server.forAnyWebSocket().always().thenPassThrough({ transformRequest: { replaceHost: { targetHost: `127.0.0.1:${wsPort}`, updateHostHeader: false }, setProtocol: 'ws' } });
  await server.forAnyRequest().always().thenReply(404, 'stub upstream: no such path');
  await startOnLoopback(server);
  const stop = async (): Promise<void> => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
    await server.stop();
  };
  return { port: server.port, caPem: ca.cert, stop };
}

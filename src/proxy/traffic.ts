// What the proxy engine saw, in one model that capture (HAR, JSONL, summary) and verify (routes,
// TLS outcomes) both read. Bodies are kept decoded (content-encoding undone) as bytes.

/** Which listener took it: the forward proxy, or a reverse listener standing in for an upstream. */
export type Listener = { kind: 'proxy' } | { kind: 'reverse'; name: string };

export interface WsMessage {
  /** `send`: codex → server; `receive`: server → codex (HAR's `_webSocketMessages` wording). */
  type: 'send' | 'receive';
  /** Epoch seconds (HAR's `time` for websocket messages). */
  time: number;
  /** 1 text, 2 binary. */
  opcode: 1 | 2;
  /** Text, or base64 for binary frames. */
  data: string;
}

export interface Exchange {
  id: string;
  listener: Listener;
  /** tunnel: HTTPS through CONNECT with our certificate; proxy-http: absolute-form plain HTTP to
   *  the proxy; reverse: plain HTTP to a reverse listener (url is the upstream it stands for). */
  route: 'tunnel' | 'proxy-http' | 'reverse';
  /** Epoch milliseconds. */
  startedAt: number;
  method: string;
  /** The URL as it would be sent upstream (a reverse listener's upstream origin + the path). */
  url: string;
  httpVersion: string;
  requestHeaders: [string, string][];
  requestBody: Buffer;
  /** HTTP Upgrade asked for (websocket). */
  upgrade?: string;
  response?: {
    status: number;
    statusText: string;
    httpVersion: string;
    headers: [string, string][];
    body: Buffer;
    /** Epoch milliseconds when the last byte went to codex. */
    endedAt: number;
  };
  websocket?: { messages: WsMessage[]; closeCode?: number; closedAt?: number };
  /** Aborted by either side, or the upstream could not be reached. */
  error?: string;
}

export interface TlsFailure {
  /** SNI, else the CONNECT target. */
  host: string;
  port?: number;
  /** closed / reset / cert-rejected / … (the client hung up on our certificate). */
  cause: string;
  at: number;
}

/** A connection that tried to go around the proxy (seen inside the isolated network). */
export interface Escape {
  /** The name looked up or the address connected to. */
  target: string;
  how: 'dns' | 'connect';
  at: number;
}

export interface Traffic {
  exchanges: Exchange[];
  tlsFailures: TlsFailure[];
  escapes: Escape[];
}

export function headerValue(headers: [string, string][], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

// Server-sent events, and the model API's stream put back together: the final text and the
// token usage of a Responses API turn (over SSE, or websocket messages carrying the same events).

export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}

export function parseSse(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  for (const block of text.replace(/\r\n/g, '\n').split(/\n\n+/)) {
    const data: string[] = [];
    let event: string | undefined;
    let id: string | undefined;
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
      else if (field === 'id') id = value;
    }
    if (data.length || event) out.push({ ...(event ? { event } : {}), ...(id ? { id } : {}), data: data.join('\n') });
  }
  return out;
}

export interface Usage {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  [k: string]: unknown;
}

export interface Turn {
  /** Text the model produced (output_text deltas, else the completed response's output text). */
  text: string;
  usage?: Usage;
  /** Event types in order, counted. */
  events: number;
  status?: string;
}

type Json = Record<string, unknown>;

function outputText(response: Json | undefined): string {
  const output = Array.isArray(response?.output) ? (response.output as Json[]) : [];
  return output
    .flatMap((item) => (Array.isArray(item.content) ? (item.content as Json[]) : []))
    .map((c) => (typeof c.text === 'string' ? c.text : ''))
    .join('');
}

/** The Responses API turns in a stream of event payloads (JSON), one per response: a turn ends at
 *  response.completed / done / failed / incomplete. Payloads that are not response events are
 *  skipped. */
export function reassemble(payloads: string[]): Turn[] {
  const turns: Turn[] = [];
  let cur: { text: string; usage?: Usage; status?: string; completed?: Json; events: number } | undefined;
  const close = (): void => {
    if (cur) turns.push({ text: cur.text || outputText(cur.completed), ...(cur.usage ? { usage: cur.usage } : {}), events: cur.events, ...(cur.status ? { status: cur.status } : {}) });
    cur = undefined;
  };
  for (const p of payloads) {
    let ev: Json;
    try {
      ev = JSON.parse(p) as Json;
    } catch {
      continue;
    }
    const type = typeof ev.type === 'string' ? ev.type : '';
    if (!type.startsWith('response.')) continue;
    if (type === 'response.created') close();
    cur ??= { text: '', events: 0 };
    cur.events++;
    if (type === 'response.output_text.delta' && typeof ev.delta === 'string') cur.text += ev.delta;
    const response = ev.response as Json | undefined;
    if (response && typeof response === 'object') {
      if (typeof response.status === 'string') cur.status = response.status;
      if (response.usage && typeof response.usage === 'object') cur.usage = response.usage as Usage;
      if (/^response\.(completed|done|failed|incomplete)$/.test(type)) {
        cur.completed = response;
        close();
      }
    }
  }
  close();
  return turns;
}

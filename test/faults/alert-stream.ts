/** A monitor following `GET /api/alerts/stream` (SSE) from a log position, reconnecting from the last id it saw. */
import { sleep } from './cluster';

export interface StreamedAlert {
  /** SSE id: the global log position of the alert. */
  position: string;
  id: string;
  kind: string;
  dossierCode: string;
}

export function followAlerts(baseUrl: string, token: string, after: string | undefined, signal: AbortSignal): StreamedAlert[] {
  const seen: StreamedAlert[] = [];
  let last = after;
  void (async () => {
    while (!signal.aborted) {
      try {
        const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'text/event-stream' };
        if (last) headers['last-event-id'] = last;
        const r = await fetch(`${baseUrl}/api/alerts/stream`, { headers, signal });
        if (!r.ok || !r.body) throw new Error(`SSE ${r.status}`);
        const decoder = new TextDecoder();
        let buf = '';
        for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
          buf += decoder.decode(chunk, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const position = /^id: (.*)$/m.exec(frame)?.[1];
            if (position) last = position;
            if (!/^event: alert$/m.test(frame)) continue;
            const data = /^data: (.*)$/m.exec(frame)?.[1];
            if (!data) continue;
            const a = JSON.parse(data) as { id: string; kind: string; dossierCode: string };
            seen.push({ position: position ?? '', id: a.id, kind: a.kind, dossierCode: a.dossierCode });
          }
        }
      } catch {
        if (signal.aborted) return;
      }
      await sleep(200);
    }
  })();
  return seen;
}

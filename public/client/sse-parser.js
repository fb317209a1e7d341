/**
 * An incremental text/event-stream parser (WHATWG HTML, "Parsing an event stream"): CRLF, LF or
 * CR line ends (a CR at a chunk's end waits for a possible LF), comment lines, multi-line data,
 * `id` kept across events, `retry`. A block without data dispatches nothing.
 */
export function createSseParser({ onEvent, onComment = () => {}, onRetry = () => {} }) {
  let buffer = '';
  let scanned = 0; // buffer[0..scanned) holds no line end
  let data = [];
  let event = '';
  let id;

  function line(text) {
    if (text === '') {
      if (data.length > 0) onEvent({ id, event: event || 'message', data: data.join('\n') });
      data = [];
      event = '';
      return;
    }
    if (text.charCodeAt(0) === 58 /* : */) return onComment(text.slice(1).replace(/^ /, ''));
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    const value = colon < 0 ? '' : text.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) onRetry(Number(value));
  }

  return {
    push(chunk) {
      buffer += chunk;
      let start = 0;
      for (let i = scanned; i < buffer.length; i++) {
        const ch = buffer.charCodeAt(i);
        if (ch !== 10 && ch !== 13) continue;
        if (ch === 13 && i === buffer.length - 1) break; // maybe the first half of a CRLF
        line(buffer.slice(start, i));
        if (ch === 13 && buffer.charCodeAt(i + 1) === 10) i++;
        start = i + 1;
      }
      buffer = buffer.slice(start);
      scanned = buffer.endsWith('\r') ? buffer.length - 1 : buffer.length;
    },
    /** The stream ended: a pending CR ends its line; an unterminated event is discarded. */
    end() {
      if (buffer.endsWith('\r')) line(buffer.slice(0, -1));
      buffer = '';
      scanned = 0;
    },
  };
}

/** Error bodies are kept up to this size; the rest is dropped unread. */
export const ERROR_BODY_LIMIT = 1024 * 1024;

/** Reads at most `limit` bytes of a body as text and cancels the rest, so a huge or endless body cannot hang or exhaust memory. */
export async function readText(response: Response, limit = Number.POSITIVE_INFINITY): Promise<string> {
  if (!response.body) return '';
  if (limit === Number.POSITIVE_INFINITY) return response.text();
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    while (bytes < limit) {
      const { done, value } = await reader.read();
      if (done) return text + decoder.decode();
      const take = value.subarray(0, limit - bytes);
      bytes += take.byteLength;
      text += decoder.decode(take, { stream: true });
    }
    return text + decoder.decode();
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** Parses JSON text into a value; text that is not JSON stays text, and an empty body is `undefined`. */
export function parseLoose(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** True when the content type says the body is JSON (`application/json`, `application/problem+json`, …). */
export function isJsonContentType(contentType: string | null): boolean {
  return contentType !== null && /[/+]json\b/i.test(contentType);
}

/**
 * A real OAuth2 token endpoint on loopback (the client credentials grant of RFC 6749) for the provider tests: it
 * checks the client id and secret, sent as HTTP basic auth (each form-encoded first, as RFC 6749 says) or in the form,
 * as the test says it accepts them, and issues numbered tokens it remembers. Every request is recorded.
 */
import { createServer, type ServerResponse } from 'node:http';

/** A token request the server received. */
export interface TokenRequest {
  method: string;
  path: string;
  authorization?: string;
  contentType?: string;
  form: Record<string, string>;
}

/** How the server answers. */
export interface TokenServerMode {
  /** Where it accepts the client's credentials (`none`: refuses every request with 401). */
  accepts: 'header' | 'params' | 'none';
  /** `expires_in` of issued tokens (omitted when undefined). */
  expiresIn?: number;
  /** Answers instead of issuing a token (a redirect, a huge body, a hang...). */
  override?: (res: ServerResponse) => void;
}

/** A running token endpoint. */
export interface TokenServer {
  /** `http://127.0.0.1:<port>/token` */
  url: string;
  port: number;
  mode: TokenServerMode;
  requests: TokenRequest[];
  /** Tokens issued so far, oldest first. */
  issued: string[];
  close(): Promise<void>;
}

const formDecode = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));

/** The client id and secret of a basic auth header, form-decoded; undefined when absent or malformed. */
function basicCredentials(header: string | undefined): [string, string] | undefined {
  const m = /^Basic (.+)$/.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return [formDecode(text.slice(0, colon)), formDecode(text.slice(colon + 1))];
}

/** Starts the endpoint for one client. */
export async function startTokenServer(client: { id: string; secret: string }): Promise<TokenServer> {
  const requests: TokenRequest[] = [];
  const issued: string[] = [];
  const open = new Set<ServerResponse>();
  const state: TokenServer = {
    url: '',
    port: 0,
    mode: { accepts: 'header' },
    requests,
    issued,
    close: () => Promise.resolve(),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      open.add(res);
      res.on('close', () => open.delete(res));
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString()));
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
        form,
      });
      const mode = state.mode;
      if (mode.override) return mode.override(res);
      const basic = basicCredentials(req.headers.authorization);
      const given =
        mode.accepts === 'header'
          ? basic
          : mode.accepts === 'params' && !basic
            ? [form.client_id, form.client_secret]
            : undefined;
      if (
        form.grant_type !== 'client_credentials' ||
        !given ||
        given[0] !== client.id ||
        given[1] !== client.secret
      ) {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'invalid_client' }));
        return;
      }
      const token = `tok-${issued.length + 1}`;
      issued.push(token);
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          access_token: token,
          token_type: 'bearer',
          ...(mode.expiresIn !== undefined ? { expires_in: mode.expiresIn } : {}),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  state.port = typeof addr === 'object' && addr ? addr.port : 0;
  state.url = `http://127.0.0.1:${state.port}/token`;
  state.close = () =>
    new Promise((resolve) => {
      for (const res of open) res.socket?.destroy();
      server.close(() => resolve());
    });
  return state;
}

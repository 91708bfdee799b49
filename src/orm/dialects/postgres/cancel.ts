/**
 * PostgreSQL's CancelRequest: asks the server to cancel the statement a connection is running.
 * pg has no API for it. It is sent on a new connection of its own — the one running the
 * statement is busy — as the protocol's 16-byte packet (length, the code 80877102, the
 * backend's process id and secret key); the server closes that connection without answering.
 * See https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-CANCELING-REQUESTS
 */
import { connect } from 'node:net';
import type pg from 'pg';

const CANCEL_REQUEST_CODE = 80877102;
/** A server that neither reads nor closes the cancel connection is given up on after this. */
const CANCEL_TIMEOUT = 5000;

/**
 * Sends a cancel request for the statement `client` is running. Fire and forget: when it cannot
 * be delivered, the statement runs to its end.
 */
export function sendCancelRequest(client: pg.PoolClient): void {
  const { processID, secretKey } = client as unknown as {
    processID: number | null;
    secretKey: number | null;
  };
  if (processID === null || secretKey === null) return;
  const packet = Buffer.alloc(16);
  packet.writeInt32BE(16, 0);
  packet.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  packet.writeInt32BE(processID, 8);
  packet.writeInt32BE(secretKey, 12);
  const { host, port } = client;
  // A host that is a directory is a Unix socket's, as libpq and pg read it.
  const socket = host.startsWith('/') ? connect(`${host}/.s.PGSQL.${port}`) : connect(port, host);
  socket.setTimeout(CANCEL_TIMEOUT, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.once('connect', () => socket.end(packet));
  socket.resume();
  socket.unref();
}

import { Readable, Writable } from 'node:stream';
import { coalescedBody } from '../src/http/coalescedBody';

const turn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * An upstream answer's body as node:http makes one: bytes pushed as the socket brings them; when push() says the
 * buffer is full the socket stops until the body is read again (`wanted` resolves).
 */
function upstreamBody() {
  let wake: (() => void) | undefined;
  const body = new Readable({
    read() {
      wake?.();
      wake = undefined;
    },
  });
  const wanted = () => new Promise<void>((resolve) => (wake = resolve));
  return { body, wanted };
}

describe('coalescedBody', () => {
  it('passes backpressure on: a client that stops reading stops the upstream body, not buffered without bound', async () => {
    const { body } = upstreamBody();
    // A client that takes the first write and then never finishes it (a stalled socket).
    const client = new Writable({ write: () => undefined });
    const coalesced = coalescedBody(body);
    coalesced.on('error', () => undefined);
    coalesced.pipe(client);
    let pushed = 0;
    for (let i = 0; i < 1000 && body.push(Buffer.alloc(1024, i)); i++) {
      pushed++;
      await turn();
    }
    // The upstream was told to wait (push() false) long before 1 MB was taken from it.
    expect(pushed).toBeLessThan(100);
    expect(coalesced.readableLength).toBeLessThan(64 * 1024);
    coalesced.destroy();
  });

  it('hands every byte on in order, with a client that reads slowly', async () => {
    const { body, wanted } = upstreamBody();
    const received: Buffer[] = [];
    const client = new Writable({
      highWaterMark: 4096,
      write(chunk: Buffer, _encoding, callback) {
        received.push(chunk);
        setTimeout(callback, 1);
      },
    });
    const done = new Promise((resolve, reject) => client.on('finish', resolve).on('error', reject));
    coalescedBody(body).pipe(client);
    const sent: Buffer[] = [];
    for (let i = 0; i < 200; i++) {
      const chunk = Buffer.alloc(1000 + i, i);
      sent.push(chunk);
      if (!body.push(chunk)) {
        await wanted();
      }
    }
    body.push(null);
    await done;
    expect(Buffer.concat(received).equals(Buffer.concat(sent))).toBe(true);
  });

  it('ends with an error when the upstream body closes before its end', async () => {
    const { body } = upstreamBody();
    const coalesced = coalescedBody(body);
    const failed = new Promise<Error>((resolve) => coalesced.on('error', resolve));
    coalesced.resume();
    body.push(Buffer.from('{"status":'));
    await turn();
    body.destroy();
    expect((await failed).message).toMatch(/stopped before its end/);
  });

  it('destroys the upstream body when the client goes away', async () => {
    const { body } = upstreamBody();
    const coalesced = coalescedBody(body);
    coalesced.resume();
    body.push(Buffer.from('{"status":'));
    await turn();
    coalesced.destroy();
    await turn();
    expect(body.destroyed).toBe(true);
  });
});
